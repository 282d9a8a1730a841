package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise negation (OpenVINO Negative-1); integers wrap, so the most negative value stays itself. */
public final class Negative extends UnaryElementwise {
    public static final OpSpec<Negative> SPEC = OpSpec.of(Negative.class, "Negative", "opset1", a -> new Negative());

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.NEG;
    }

    @Override
    protected double apply(double x) {
        return -x;
    }

    @Override
    protected long apply(long x, ElementType type) {
        return -x;
    }
}
