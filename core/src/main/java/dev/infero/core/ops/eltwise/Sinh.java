package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic sine of a floating tensor (OpenVINO Sinh-1). */
public final class Sinh extends UnaryElementwise {
    public static final OpSpec<Sinh> SPEC = OpSpec.of(Sinh.class, "Sinh", "opset1", a -> new Sinh());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.SINH;
    }

    @Override
    protected double apply(double x) {
        return Math.sinh(x);
    }
}
