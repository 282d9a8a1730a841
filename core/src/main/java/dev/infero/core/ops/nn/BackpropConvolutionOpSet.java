package dev.infero.core.ops.nn;

import dev.infero.core.op.OpFactories;

/** IR factories of the transposed convolutions (kept apart from {@link NnOpSet} only to avoid edit clashes). */
public final class BackpropConvolutionOpSet {
    private BackpropConvolutionOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(ConvolutionBackpropData.SPEC, GroupConvolutionBackpropData.SPEC);
    }
}
