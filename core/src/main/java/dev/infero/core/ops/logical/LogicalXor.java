package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise logical exclusive or of booleans with numpy broadcasting (OpenVINO LogicalXor-1). */
public final class LogicalXor extends BinaryElementwise {
    public static final OpSpec<LogicalXor> SPEC = OpSpec.of(LogicalXor.class, "LogicalXor", "opset1",
            a -> new LogicalXor(), AUTO_BROADCAST);

    @Override
    protected boolean supports(ElementType type) {
        return type == ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double a, double b) {
        throw new IllegalStateException("LogicalXor has no floating form");
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a ^ b;
    }
}
