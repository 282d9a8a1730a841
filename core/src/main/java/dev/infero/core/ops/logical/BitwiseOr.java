package dev.infero.core.ops.logical;

import dev.infero.core.types.ElementType;

/** Element-wise bitwise or of integers or booleans with numpy broadcasting (OpenVINO BitwiseOr-13). */
public final class BitwiseOr extends BitwiseBinary {
    @Override
    public String type() {
        return "BitwiseOr";
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a | b;
    }
}
