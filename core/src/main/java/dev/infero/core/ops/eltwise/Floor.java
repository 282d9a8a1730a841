package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise rounding toward negative infinity (OpenVINO Floor-1). */
public final class Floor extends UnaryElementwise {
    public static final OpSpec<Floor> SPEC = OpSpec.of(Floor.class, "Floor", "opset1", a -> new Floor());

    @Override
    protected double apply(double x) {
        return Math.floor(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) Math.floor(x[i]);
        }
    }
}
