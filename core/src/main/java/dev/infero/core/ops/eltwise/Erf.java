package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;

/** Element-wise Gauss error function (OpenVINO Erf-1). */
public final class Erf extends UnaryElementwise {
    public static final OpSpec<Erf> SPEC = OpSpec.of(Erf.class, "Erf", "opset1", a -> new Erf());

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
