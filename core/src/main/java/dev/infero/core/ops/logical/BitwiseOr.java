package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise or of integers or booleans with numpy broadcasting (OpenVINO BitwiseOr-13). */
public final class BitwiseOr extends BinaryElementwise {
    @Override
    public String type() {
        return "BitwiseOr";
    }

    @Override
    public String version() {
        return "opset13";
    }

    @Override
    protected boolean supports(ElementType type) {
        return !type.isFloating();
    }

    @Override
    protected double apply(double a, double b) {
        throw new IllegalStateException("BitwiseOr has no floating form");
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a | b;
    }
}
