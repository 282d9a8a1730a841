package dev.infero.core.ops;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.Op;
import dev.infero.core.types.ElementType;

/**
 * An op whose one attribute is the element type of its output, {@code output_type} (Eye, Range, ShapeOf, NonZero):
 * the attribute's field, accessor and declaration in one place.
 */
public abstract class OutputTypeOp extends Op {
    /** The one attribute, required; an op with a default declares {@code OUTPUT_TYPE.orElse(...)}. */
    protected static final Attribute<OutputTypeOp, ElementType> OUTPUT_TYPE = Attribute.elementType("output_type",
            OutputTypeOp::outputType);

    protected final ElementType outputType;

    protected OutputTypeOp(ElementType outputType) {
        this.outputType = outputType;
    }

    /** The element type of the output ({@code output_type}). */
    public ElementType outputType() {
        return outputType;
    }

}
