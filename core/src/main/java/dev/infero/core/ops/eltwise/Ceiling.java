package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise rounding toward positive infinity (OpenVINO Ceiling-1). */
public final class Ceiling extends UnaryElementwise {
    public static final OpSpec<Ceiling> SPEC = OpSpec.of(Ceiling.class, "Ceiling", "opset1", a -> new Ceiling());

    @Override
    protected double apply(double x) {
        return Math.ceil(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) Math.ceil(x[i]);
        }
    }
}
