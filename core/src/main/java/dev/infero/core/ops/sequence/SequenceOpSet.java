package dev.infero.core.ops.sequence;

import dev.infero.core.op.OpFactories;

/** IR factories of the packed-sequence ops (Infero's own, version "infero"). */
public final class SequenceOpSet {
    private SequenceOpSet() {
    }

    public static void register(OpFactories r) {
        int v = OpFactories.INFERO_OPSET;
        r.register("SequenceConstruct", v, a -> new SequenceConstruct());
        r.register("SequenceInsert", v, a -> new SequenceInsert());
        r.register("SequenceErase", v, a -> new SequenceErase());
        r.register("SequenceLength", v, a -> new SequenceLength());
        r.register("SequenceAt", v, a -> new SequenceAt((int) a.integer("item_rank", -1)));
        r.register("ConcatFromSequence", v, a -> new ConcatFromSequence(a.integer("axis"),
                a.bool("new_axis", false), (int) a.integer("item_rank", -1)));
        r.register("SplitToSequence", v, a -> new SplitToSequence(a.integer("axis", 0), a.bool("keepdims", true)));
    }
}
