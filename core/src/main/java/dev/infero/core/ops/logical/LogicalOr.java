package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise logical or of booleans with numpy broadcasting (OpenVINO LogicalOr-1). */
public final class LogicalOr extends BinaryElementwise {
    public static final OpSpec<LogicalOr> SPEC = OpSpec.of(LogicalOr.class, "LogicalOr", "opset1",
            a -> new LogicalOr(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type == ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double a, double b) {
        throw new IllegalStateException("LogicalOr has no floating form");
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a | b;
    }
}
