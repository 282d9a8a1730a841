package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise logical and of booleans with numpy broadcasting (OpenVINO LogicalAnd-1). */
public final class LogicalAnd extends BinaryElementwise {
    @Override
    public String type() {
        return "LogicalAnd";
    }

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
