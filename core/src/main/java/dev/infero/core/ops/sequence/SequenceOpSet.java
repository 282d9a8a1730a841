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
        SequenceAt.SPEC.register(r);
        ConcatFromSequence.SPEC.register(r);
        SplitToSequence.SPEC.register(r);
    }
}
