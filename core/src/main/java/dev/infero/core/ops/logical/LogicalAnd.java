package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise logical and of booleans with numpy broadcasting (OpenVINO LogicalAnd-1). */
public final class LogicalAnd extends BinaryElementwise {
    public static final OpSpec<LogicalAnd> SPEC = OpSpec.of(LogicalAnd.class, "LogicalAnd", "opset1",
            a -> new LogicalAnd(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type == ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double a, double b) {
        throw new IllegalStateException("LogicalAnd has no floating form");
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a & b;
    }
}
