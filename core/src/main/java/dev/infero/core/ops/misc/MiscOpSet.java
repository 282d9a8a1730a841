package dev.infero.core.ops.misc;

import dev.infero.core.op.OpRegistry;
import dev.infero.core.types.ElementType;

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
        OpRegistry.register("Einsum", 7, a -> new Einsum(a.string("equation")));
        OpRegistry.register("RotaryEmbedding", OpRegistry.INFERO_OPSET, a -> new RotaryEmbedding(
                a.bool("interleaved", false), (int) a.integer("num_heads", 0), (int) a.integer("rotary_embedding_dim", 0)));
        OpRegistry.register("CenterCropPad", OpRegistry.INFERO_OPSET, a -> new CenterCropPad(a.integers("axes",
                new long[0])));
        OpRegistry.register("Unique", 10, a -> new Unique(a.bool("sorted", true),
                a.has("index_element_type") ? a.elementType("index_element_type") : ElementType.I64,
                a.has("count_element_type") ? a.elementType("count_element_type") : ElementType.I64));
        OpRegistry.register("Col2Im", 15, a -> new Col2Im(a.integers("strides"), a.integers("dilations"),
                a.integers("pads_begin"), a.integers("pads_end")));
        OpRegistry.register("AffineGrid", OpRegistry.INFERO_OPSET, a -> new AffineGrid(a.bool("align_corners",
                false)));
        OpRegistry.register("TensorScatter", OpRegistry.INFERO_OPSET, a -> new TensorScatter(a.integer("axis"),
                a.bool("circular", false)));
        OpRegistry.register("MaxUnpool", OpRegistry.INFERO_OPSET, a -> new MaxUnpool());
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform op = new FourierTransform(kind);
            OpRegistry.register(op.type(), OpRegistry.opsetOf(op.version()), a -> op);
        }
    }
}
