package dev.infero.core.ops.logical;

import dev.infero.core.types.ElementType;

/** Element-wise bitwise and of integers or booleans with numpy broadcasting (OpenVINO BitwiseAnd-13). */
public final class BitwiseAnd extends BitwiseBinary {
    @Override
    public String type() {
        return "BitwiseAnd";
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a & b;
    }
}
