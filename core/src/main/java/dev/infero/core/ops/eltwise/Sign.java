package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/** Element-wise sign, -1, 0 or 1, of any numeric type (OpenVINO Sign-1); NaN stays NaN. */
public final class Sign extends UnaryElementwise {
    public static final OpSpec<Sign> SPEC = OpSpec.of(Sign.class, "Sign", "opset1", a -> new Sign());

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double x) {
        return Math.signum(x);
    }

    @Override
    protected long apply(long x, ElementType type) {
        // u64 values above 2^63 are negative as longs but positive as numbers.
        return type == ElementType.U64 ? (x == 0 ? 0 : 1) : Long.signum(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        for (int i = 0; i < n; i++) {
            z[i] = Math.signum(x[i]);
        }
    }
}
