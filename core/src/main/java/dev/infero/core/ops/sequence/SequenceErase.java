package dev.infero.core.ops.sequence;

import dev.infero.core.InferoException;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * SequenceErase (ONNX SequenceErase-11): the packed sequence of inputs 0 and 1 without the item at the scalar
 * position of optional input 2 (negative counts from the end; absent: the last item).
 */
public final class SequenceErase extends SequenceOp {
    public static final OpSpec<SequenceErase> SPEC = OpSpec.of(SequenceErase.class, "SequenceErase", "infero",
            a -> new SequenceErase());

    @Override
    Tensor[] compute(Tensor[] inputs) {
        List<Tensor> items = new ArrayList<>(PackedSequence.unpack(inputs[0], inputs[1]));
        if (items.isEmpty()) {
            throw new InferoException("cannot erase from an empty sequence");
        }
        long at = inputs.length > 2 && inputs[2] != null ? scalar(inputs[2], "position") : -1;
        items.remove(PackedSequence.position(at, items.size(), false));
        return pack(inputs[0].type(), items);
    }

    @Override
    void inferDynamic(InferContext ctx) {
        setSequenceOutput(ctx, ctx.inputType(0));
    }
}
