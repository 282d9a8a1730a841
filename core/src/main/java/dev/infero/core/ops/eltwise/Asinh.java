package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise inverse hyperbolic sine (OpenVINO Asinh-4). */
public final class Asinh extends UnaryElementwise {
    public static final OpSpec<Asinh> SPEC = OpSpec.of(Asinh.class, "Asinh", "opset4", a -> new Asinh());

    @Override
    protected double apply(double x) {
        return asinh(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) asinh(x[i]);
        }
    }

    /** asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))), exact for tiny a; odd in x. */
    private static double asinh(double x) {
        double a = Math.abs(x);
        double r = a > 1e150 ? Math.log(a) + Math.log(2) : Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
        return Math.copySign(r, x);
    }
}
