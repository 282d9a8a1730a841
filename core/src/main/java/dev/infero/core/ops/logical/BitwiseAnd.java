package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise and of integers or booleans with numpy broadcasting (OpenVINO BitwiseAnd-13). */
public final class BitwiseAnd extends BinaryElementwise {
    @Override
    public String type() {
        return "BitwiseAnd";
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
        throw new IllegalStateException("BitwiseAnd has no floating form");
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a & b;
    }
}
