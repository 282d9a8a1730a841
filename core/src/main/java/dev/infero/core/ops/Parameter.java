package dev.infero.core.ops;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** A model input. Its value is supplied by the caller at run time. */
public final class Parameter extends Op {
    private final ElementType elementType;
    private final PartialShape shape;

    public Parameter(ElementType elementType, PartialShape shape) {
        this.elementType = elementType;
        this.shape = shape;
    }

    public ElementType elementType() {
        return elementType;
    }

    public PartialShape shape() {
        return shape;
    }

    @Override
    public String type() {
        return "Parameter";
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, elementType, shape);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        throw new IllegalStateException("a Parameter has no value of its own; the runtime binds the model input");
    }

    @Override
    public boolean isFoldable() {
        return false;
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("shape", shape);
        sink.attribute("element_type", elementType);
    }
}
