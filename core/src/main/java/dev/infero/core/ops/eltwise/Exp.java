package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise exponential e^x of a floating tensor (OpenVINO Exp-1). On f32 data through
 * {@link FloatExp#expFullRange}, the same bits in vector lanes and the scalar tail, cold or compiled (not
 * {@code lanewise(EXP)}, whose last bits change once C2 compiles the loop); f64 and the 16-bit types in double.
 */
public final class Exp extends UnaryElementwise {
    public static final OpSpec<Exp> SPEC = OpSpec.of(Exp.class, "Exp", "opset1", a -> new Exp());

    @Override
    protected boolean vectorized() {
        return true;
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return FloatExp.expFullRange(x);
    }

    @Override
    protected float applyFloat(float x) {
        return FloatExp.expFullRange(x);
    }

    @Override
    protected double apply(double x) {
        return Math.exp(x);
    }
}
