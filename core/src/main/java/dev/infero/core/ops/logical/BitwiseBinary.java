package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;

/** Bitwise ops of opset 13: integers and booleans only, with numpy broadcasting; no floating form. */
abstract class BitwiseBinary extends BinaryElementwise {
    @Override
    protected boolean supports(ElementType type) {
        return Bitwise.supports(type);
    }

    @Override
    protected final double apply(double a, double b) {
        throw Bitwise.noFloatingForm(this);
    }
}
