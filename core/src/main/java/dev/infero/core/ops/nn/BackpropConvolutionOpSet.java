package dev.infero.core.ops.nn;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;

/** IR factories of the transposed convolutions (kept apart from {@link NnOpSet} only to avoid edit clashes). */
public final class BackpropConvolutionOpSet {
    private BackpropConvolutionOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("ConvolutionBackpropData", 1, a -> new ConvolutionBackpropData(NnOpSet.window(a, true),
                outputPadding(a)));
        r.register("GroupConvolutionBackpropData", 1, a -> new GroupConvolutionBackpropData(
                NnOpSet.window(a, true), outputPadding(a)));
    }

    private static long[] outputPadding(AttributeSource a) {
        return a.integers("output_padding", new long[a.integers("strides").length]);
    }
}
