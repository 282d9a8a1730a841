package dev.infero.core.ops.misc;

import dev.infero.core.op.OpRegistry;

/** IR factories of the signal, sampling, sequence and linear-algebra ops of this package. */
public final class MiscOpSet {
    private MiscOpSet() {
    }

    public static void register() {
        OpRegistry.register("GridSample", 9, a -> new GridSample(a.bool("align_corners", false),
                a.string("mode", "bilinear"), a.string("padding_mode", "zeros")));
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform op = new FourierTransform(kind);
            OpRegistry.register(op.type(), OpRegistry.opsetOf(op.version()), a -> op);
        }
    }
}
