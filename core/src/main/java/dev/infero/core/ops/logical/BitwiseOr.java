package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise or of integers or booleans with numpy broadcasting (OpenVINO BitwiseOr-13). */
public final class BitwiseOr extends BitwiseBinary {
    public static final OpSpec<BitwiseOr> SPEC = OpSpec.of(BitwiseOr.class, "BitwiseOr", "opset13",
            a -> new BitwiseOr(), AUTO_BROADCAST);

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a | b;
    }
}
