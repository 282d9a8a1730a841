package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise and of integers or booleans with numpy broadcasting (OpenVINO BitwiseAnd-13). */
public final class BitwiseAnd extends BitwiseBinary {
    public static final OpSpec<BitwiseAnd> SPEC = OpSpec.of(BitwiseAnd.class, "BitwiseAnd", "opset13",
            a -> new BitwiseAnd(), AUTO_BROADCAST);

    @Override
    protected long apply(long a, long b, ElementType type) {
        return a & b;
    }
}
