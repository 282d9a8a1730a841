package dev.infero.core.ops.logical;

import dev.infero.core.types.ElementType;

/** Element-wise {@code a << b} of integers with numpy broadcasting (OpenVINO BitwiseLeftShift-15). */
public final class BitwiseLeftShift extends BitwiseShift {
    @Override
    public String type() {
        return "BitwiseLeftShift";
    }

    @Override
    protected long shift(long a, int b, ElementType type) {
        return a << b;
    }

    @Override
    protected long shiftedOut(long a, ElementType type) {
        return 0;
    }
}
