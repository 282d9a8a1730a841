package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise bitwise complement of integers, logical negation of booleans (OpenVINO BitwiseNot-13). */
public final class BitwiseNot extends UnaryElementwise {
    public static final OpSpec<BitwiseNot> SPEC = OpSpec.of(BitwiseNot.class, "BitwiseNot", "opset13",
            a -> new BitwiseNot());

    @Override
    protected boolean supports(ElementType type) {
        return Bitwise.supports(type);
    }

    @Override
    protected double apply(double x) {
        throw Bitwise.noFloatingForm(this);
    }

    @Override
    protected long apply(long x, ElementType type) {
        // Storing keeps the type's low bits, so ~x is right for every width.
        return type == ElementType.BOOLEAN ? 1 - x : ~x;
    }
}
