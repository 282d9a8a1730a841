package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;

/**
 * Element-wise {@code a >> b} of integers with numpy broadcasting (OpenVINO BitwiseRightShift-15): logical for
 * unsigned types, arithmetic for signed ones.
 */
public final class BitwiseRightShift extends BitwiseShift {
    public static final OpSpec<BitwiseRightShift> SPEC = OpSpec.of(BitwiseRightShift.class, "BitwiseRightShift",
            "opset15",
            a -> new BitwiseRightShift(), AUTO_BROADCAST);

    @Override
    protected long shift(long a, int b, ElementType type) {
        return type.isSigned() ? a >> b : a >>> b;
    }

    @Override
    protected long shiftedOut(long a, ElementType type) {
        return type.isSigned() && a < 0 ? -1 : 0;
    }
}
