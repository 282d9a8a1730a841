package dev.infero.core.ops.logical;

import dev.infero.core.op.Op;
import dev.infero.core.types.ElementType;

/**
 * The rule of the bitwise ops (BitwiseAnd/Or/Xor/Not of opset 13 and the shifts of opset 15), one home for the unary
 * and the binary ones: they read bits, so they have no floating form.
 */
final class Bitwise {
    private Bitwise() {
    }

    /** AND, OR, XOR and NOT take integers and booleans (as logical ops); never floating types. */
    static boolean supports(ElementType type) {
        return !type.isFloating();
    }

    /** What the floating form of a bitwise op throws: its base calls it only for types it does not support. */
    static IllegalStateException noFloatingForm(Op op) {
        return new IllegalStateException(op.type() + " has no floating form");
    }
}
