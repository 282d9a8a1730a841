package dev.infero.core.ops.eltwise;

/** Element-wise rounding toward negative infinity (OpenVINO Floor-1). */
public final class Floor extends UnaryElementwise {
    @Override
    public String type() {
        return "Floor";
    }

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
