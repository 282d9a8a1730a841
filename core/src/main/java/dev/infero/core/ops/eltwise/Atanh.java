package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise inverse hyperbolic tangent (OpenVINO Atanh-4); NaN outside [-1, 1]. */
public final class Atanh extends UnaryElementwise {
    public static final OpSpec<Atanh> SPEC = OpSpec.of(Atanh.class, "Atanh", "opset4", a -> new Atanh());

    @Override
    protected double apply(double x) {
        return atanh(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) atanh(x[i]);
        }
    }

    /** atanh(a) = log1p(2a / (1 - a)) / 2, exact for tiny a; odd in x. */
    private static double atanh(double x) {
        double a = Math.abs(x);
        return Math.copySign(0.5 * Math.log1p(2 * a / (1 - a)), x);
    }
}
