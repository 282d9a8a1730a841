package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise logical negation of a boolean tensor (OpenVINO LogicalNot-1). */
public final class LogicalNot extends UnaryElementwise {
    public static final OpSpec<LogicalNot> SPEC = OpSpec.of(LogicalNot.class, "LogicalNot", "opset1",
            a -> new LogicalNot());

    @Override
    protected boolean supports(ElementType type) {
        return type == ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double x) {
        throw new IllegalStateException("LogicalNot has no floating form");
    }

    @Override
    protected long apply(long x, ElementType type) {
        return x == 0 ? 1 : 0;
    }
}
