package dev.infero.core.ops.sequence;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** SequenceLength (ONNX SequenceLength-11): the number of items of the packed sequence of inputs 0 and 1, an i64 scalar. */
public final class SequenceLength extends SequenceOp {
    public static final OpSpec<SequenceLength> SPEC = OpSpec.of(SequenceLength.class, "SequenceLength", "infero",
            a -> new SequenceLength());

    @Override
    Tensor[] compute(Tensor[] inputs) {
        return new Tensor[] {Tensor.of(new long[] {PackedSequence.shapes(inputs[1]).size()})};
    }

    @Override
    void inferDynamic(InferContext ctx) {
        ctx.setOutput(0, ElementType.I64, PartialShape.scalar());
    }
}
