package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise inverse hyperbolic cosine (OpenVINO Acosh-4); NaN below 1. */
public final class Acosh extends UnaryElementwise {
    public static final OpSpec<Acosh> SPEC = OpSpec.of(Acosh.class, "Acosh", "opset4", a -> new Acosh());

    @Override
    protected double apply(double x) {
        return acosh(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) acosh(x[i]);
        }
    }

    /** acosh(x) = log(x + sqrt(x^2 - 1)) for x >= 1. */
    private static double acosh(double x) {
        return x > 1e150 ? Math.log(x) + Math.log(2) : Math.log(x + Math.sqrt((x - 1) * (x + 1)));
    }
}
