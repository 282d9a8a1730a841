package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise exclusive or of integers or booleans with numpy broadcasting (OpenVINO BitwiseXor-13). */
public final class BitwiseXor extends BitwiseBinary {
    public static final OpSpec<BitwiseXor> SPEC = OpSpec.of(BitwiseXor.class, "BitwiseXor", "opset13",
            a -> new BitwiseXor(), AUTO_BROADCAST);

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a ^ b;
    }
}
