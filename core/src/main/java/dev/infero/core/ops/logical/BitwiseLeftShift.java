package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/** Element-wise {@code a << b} of integers with numpy broadcasting (OpenVINO BitwiseLeftShift-15). */
public final class BitwiseLeftShift extends BitwiseShift {
    public static final OpSpec<BitwiseLeftShift> SPEC = OpSpec.of(BitwiseLeftShift.class, "BitwiseLeftShift", "opset15",
            a -> new BitwiseLeftShift(), AUTO_BROADCAST);

    @Override
    protected long shift(long a, int b, ElementType type) {
        return a << b;
    }

    @Override
    protected long shiftedOut(long a, ElementType type) {
        return 0;
    }
}
