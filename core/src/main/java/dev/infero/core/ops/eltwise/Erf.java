package dev.infero.core.ops.eltwise;

/** Element-wise Gauss error function (OpenVINO Erf-1). */
public final class Erf extends UnaryElementwise {
    @Override
    public String type() {
        return "Erf";
    }

    @Override
    protected double apply(double x) {
        return SpecialFunctions.erf(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = (float) SpecialFunctions.erf(x[i]);
        }
    }
}
