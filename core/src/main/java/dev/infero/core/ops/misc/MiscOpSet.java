package dev.infero.core.ops.misc;

import dev.infero.core.op.OpRegistry;

/** IR factories of the signal, sampling, sequence and linear-algebra ops of this package. */
public final class MiscOpSet {
    private MiscOpSet() {
    }

    public static void register() {
        OpRegistry.register("GridSample", 9, a -> new GridSample(a.bool("align_corners", false),
                a.string("mode", "bilinear"), a.string("padding_mode", "zeros")));
        OpRegistry.register("CumProd", OpRegistry.INFERO_OPSET, a -> new CumProd(a.bool("exclusive", false),
                a.bool("reverse", false)));
        OpRegistry.register("ReverseSequence", 1, a -> new ReverseSequence(a.integer("batch_axis", 0),
                a.integer("seq_axis", 1)));
        OpRegistry.register("Determinant", OpRegistry.INFERO_OPSET, a -> new Determinant());
        OpRegistry.register("Eye", 9, a -> new Eye(a.elementType("output_type")));
        OpRegistry.register("CenterCropPad", OpRegistry.INFERO_OPSET, a -> new CenterCropPad(a.integers("axes",
                new long[0])));
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform op = new FourierTransform(kind);
            OpRegistry.register(op.type(), OpRegistry.opsetOf(op.version()), a -> op);
        }
    }
}
