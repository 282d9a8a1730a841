package dev.infero.core.ops.normalization;

import dev.infero.core.op.OpFactories;

/** IR factories of the softmax family and the normalizations: each op's declaration ({@code SPEC}), registered. */
public final class NormalizationOpSet {
    private NormalizationOpSet() {
    }

    public static void register(OpFactories r) {
        Softmax.SPEC.register(r, 1); // SoftMax-1 files read as SoftMax-8, which only adds negative axes
        r.registerAll(LogSoftmax.SPEC, MVN.SPEC, LRN.SPEC, NormalizeL2.SPEC, GroupNormalization.SPEC);
    }
}
