package dev.infero.core.ops.logical;

import dev.infero.core.types.ElementType;

/** Element-wise bitwise exclusive or of integers or booleans with numpy broadcasting (OpenVINO BitwiseXor-13). */
public final class BitwiseXor extends BitwiseBinary {
    @Override
    public String type() {
        return "BitwiseXor";
    }

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a ^ b;
    }
}
