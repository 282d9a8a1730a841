package dev.infero.core.ops.sequence;

import dev.infero.core.op.OpFactories;

/** IR factories of the packed-sequence ops (Infero's own, version "infero"). */
public final class SequenceOpSet {
    private SequenceOpSet() {
    }

    public static void register(OpFactories r) {
        SequenceConstruct.SPEC.register(r);
        SequenceInsert.SPEC.register(r);
        SequenceErase.SPEC.register(r);
        SequenceLength.SPEC.register(r);
        SequenceAt.SPEC.register(r);
        ConcatFromSequence.SPEC.register(r);
        SplitToSequence.SPEC.register(r);
    }
}
