package dev.infero.core.ops;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.Op;
import dev.infero.core.types.ElementType;

/**
 * An op whose one attribute is the element type of its output, {@code output_type} (Eye, Range, ShapeOf, NonZero):
 * the attribute's field, accessor and IR description in one place.
 */
public abstract class OutputTypeOp extends Op {
    protected final ElementType outputType;

    protected OutputTypeOp(ElementType outputType) {
        this.outputType = outputType;
    }

    /** The element type of the output ({@code output_type}). */
    public ElementType outputType() {
        return outputType;
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("output_type", outputType);
    }
}
