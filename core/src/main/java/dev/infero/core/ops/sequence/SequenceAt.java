package dev.infero.core.ops.sequence;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * SequenceAt (ONNX SequenceAt-11): the item of the packed sequence of inputs 0 and 1 at the scalar position of input
 * 2 (negative counts from the end). {@code item_rank} is the rank of the sequence's items when the producer knows it
 * (-1 otherwise), so the output has a known rank before the values are.
 */
public final class SequenceAt extends SequenceOp {
    private static final Attribute<SequenceAt, Long> ITEM_RANK = Attribute.integer("item_rank",
            (SequenceAt op) -> (long) op.itemRank).orElse(-1L);
    public static final OpSpec<SequenceAt> SPEC = OpSpec.of(SequenceAt.class, "SequenceAt", "infero",
            a -> new SequenceAt((int) (long) ITEM_RANK.read(a)), ITEM_RANK);

    private final int itemRank;

    public SequenceAt(int itemRank) {
        this.itemRank = itemRank;
    }

    public int itemRank() {
        return itemRank;
    }

    @Override
    void check(InferContext ctx) {
        super.check(ctx);
        if (!ctx.hasInput(2)) {
            throw ctx.error("has no position input");
        }
    }

    @Override
    Tensor[] compute(Tensor[] inputs) {
        List<int[]> shapes = PackedSequence.shapes(inputs[1]);
        int at = PackedSequence.position(scalar(inputs[2], "position"), shapes.size(), false);
        Tensor item = PackedSequence.unpack(inputs[0], inputs[1]).get(at);
        if (itemRank >= 0 && item.rank() != itemRank) {
            throw new dev.infero.core.InferoException("item " + at + " has rank " + item.rank() + ", the sequence's "
                    + "items were declared of rank " + itemRank);
        }
        return new Tensor[] {item};
    }

    @Override
    void inferDynamic(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), ofRank(itemRank));
    }
}
