package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/**
 * Element-wise bit shifts of integers with numpy broadcasting (OpenVINO BitwiseLeftShift-15 and
 * BitwiseRightShift-15). Right shifts are logical for unsigned types and arithmetic for signed ones; shifting by the
 * type's width or more clears every bit (or leaves only sign bits for a signed right shift).
 */
public abstract class BitwiseShift extends BinaryElementwise {
    @Override
    protected boolean supports(ElementType type) {
        return type.isInteger();
    }

    @Override
    protected final double apply(double a, double b) {
        throw Bitwise.noFloatingForm(this);
    }

    /** Shifts {@code a}, zero-extended when unsigned, by {@code b} places where {@code 0 <= b < type.bits()}. */
    protected abstract long shift(long a, int b, ElementType type);

    /** The result of shifting every bit out. */
    protected abstract long shiftedOut(long a, ElementType type);

    @Override
    protected final long apply(long a, long b, ElementType type) {
        boolean inRange = type == ElementType.U64 ? Long.compareUnsigned(b, type.bits()) < 0
                : b >= 0 && b < type.bits();
        return inRange ? shift(a, (int) b, type) : shiftedOut(a, type);
    }
}
