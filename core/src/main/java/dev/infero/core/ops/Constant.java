package dev.infero.core.ops;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/** A tensor fixed in the model: weights, biases, shapes, axes. IR type {@code Const}. */
public final class Constant extends Op {
    private final Tensor value;

    public Constant(Tensor value) {
        this.value = value;
    }

    public Tensor value() {
        return value;
    }

    @Override
    public String type() {
        return "Const";
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, value.type(), PartialShape.of(value.shape()));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        value.copyTo(outputs[0]);
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("element_type", value.type());
        sink.attribute("shape", PartialShape.of(value.shape()));
    }
}
