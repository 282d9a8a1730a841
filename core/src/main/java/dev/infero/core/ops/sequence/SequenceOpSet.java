package dev.infero.core.ops.sequence;

import dev.infero.core.op.OpFactories;

/** IR factories of the packed-sequence ops (Infero's own, version "infero"). */
public final class SequenceOpSet {
    private SequenceOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(SequenceConstruct.SPEC, SequenceInsert.SPEC, SequenceErase.SPEC, SequenceLength.SPEC,
                SequenceAt.SPEC, ConcatFromSequence.SPEC, SplitToSequence.SPEC);
    }
}
