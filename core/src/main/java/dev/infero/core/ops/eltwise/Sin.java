package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise sine of a floating tensor (OpenVINO Sin-1). */
public final class Sin extends UnaryElementwise {
    public static final OpSpec<Sin> SPEC = OpSpec.of(Sin.class, "Sin", "opset1", a -> new Sin());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.SIN;
    }

    @Override
    protected double apply(double x) {
        return Math.sin(x);
    }
}
