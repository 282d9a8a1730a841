package dev.infero.core.ops.sequence;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * SequenceInsert (ONNX SequenceInsert-11): the packed sequence of inputs 0 and 1 with the tensor of input 2 inserted
 * at the scalar position of optional input 3 (negative counts from the end; absent: at the end).
 */
public final class SequenceInsert extends SequenceOp {
    public static final OpSpec<SequenceInsert> SPEC = OpSpec.of(SequenceInsert.class, "SequenceInsert", "infero",
            a -> new SequenceInsert());

    @Override
    void check(InferContext ctx) {
        super.check(ctx);
        if (ctx.inputCount() < 3 || ctx.inputType(2) != ctx.inputType(0)) {
            throw ctx.error("inserts a " + (ctx.inputCount() < 3 ? "missing" : ctx.inputType(2).toString())
                    + " tensor into a sequence of " + ctx.inputType(0));
        }
    }

    @Override
    Tensor[] compute(Tensor[] inputs) {
        List<Tensor> items = new ArrayList<>(PackedSequence.unpack(inputs[0], inputs[1]));
        int at = inputs.length > 3 && inputs[3] != null
                ? PackedSequence.position(scalar(inputs[3], "position"), items.size(), true) : items.size();
        items.add(at, inputs[2]);
        return pack(inputs[0].type(), items);
    }

    @Override
    void inferDynamic(InferContext ctx) {
        setSequenceOutput(ctx, ctx.inputType(0));
    }
}
