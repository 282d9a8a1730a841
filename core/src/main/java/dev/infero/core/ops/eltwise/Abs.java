package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.VectorOperators;

/** Element-wise absolute value of any numeric type (OpenVINO Abs-1); unsigned values are their own magnitude. */
public final class Abs extends UnaryElementwise {
    public static final OpSpec<Abs> SPEC = OpSpec.of(Abs.class, "Abs", "opset1", a -> new Abs());

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ABS;
    }

    @Override
    protected double apply(double x) {
        return Math.abs(x);
    }

    @Override
    protected long apply(long x, ElementType type) {
        return type.isSigned() ? Math.abs(x) : x;
    }
}
