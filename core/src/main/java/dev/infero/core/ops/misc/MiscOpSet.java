package dev.infero.core.ops.misc;

import dev.infero.core.op.OpFactories;
import dev.infero.core.types.ElementType;

/** IR factories of the signal, sampling, sequence and linear-algebra ops of this package. */
public final class MiscOpSet {
    private MiscOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("GridSample", 9, a -> new GridSample(a.bool("align_corners", false),
                a.string("mode", "bilinear"), a.string("padding_mode", "zeros")));
        r.register("CumProd", OpFactories.INFERO_OPSET, a -> new CumProd(a.bool("exclusive", false),
                a.bool("reverse", false)));
        r.register("ReverseSequence", 1, a -> new ReverseSequence(a.integer("batch_axis", 0),
                a.integer("seq_axis", 1)));
        r.register("Determinant", OpFactories.INFERO_OPSET, a -> new Determinant());
        r.register("Eye", 9, a -> new Eye(a.elementType("output_type")));
        r.register("Einsum", 7, a -> new Einsum(a.string("equation")));
        r.register("RotaryEmbedding", OpFactories.INFERO_OPSET, a -> new RotaryEmbedding(
                a.bool("interleaved", false), (int) a.integer("num_heads", 0), (int) a.integer("rotary_embedding_dim", 0)));
        r.register("CenterCropPad", OpFactories.INFERO_OPSET, a -> new CenterCropPad(a.integers("axes",
                new long[0])));
        r.register("Unique", 10, a -> new Unique(a.bool("sorted", true),
                a.has("index_element_type") ? a.elementType("index_element_type") : ElementType.I64,
                a.has("count_element_type") ? a.elementType("count_element_type") : ElementType.I64));
        r.register("Col2Im", 15, a -> new Col2Im(a.integers("strides"), a.integers("dilations"),
                a.integers("pads_begin"), a.integers("pads_end")));
        r.register("AffineGrid", OpFactories.INFERO_OPSET, a -> new AffineGrid(a.bool("align_corners",
                false)));
        r.register("TensorScatter", OpFactories.INFERO_OPSET, a -> new TensorScatter(a.integer("axis"),
                a.bool("circular", false)));
        r.register("LinearAttention", OpFactories.INFERO_OPSET, a -> new LinearAttention(
                a.enumValue(LinearAttention.UpdateRule.class, "update_rule", "gated_delta"),
                (int) a.integer("q_num_heads"), (int) a.integer("kv_num_heads"),
                a.has("scale") ? (float) a.number("scale") : Float.NaN));
        r.register("STFT", OpFactories.INFERO_OPSET, a -> new Stft(a.bool("onesided", true)));
        r.register("MelWeightMatrix", OpFactories.INFERO_OPSET, a -> new MelWeightMatrix(
                a.has("output_datatype") ? a.elementType("output_datatype") : ElementType.F32));
        r.register("MaxUnpool", OpFactories.INFERO_OPSET, a -> new MaxUnpool());
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform op = new FourierTransform(kind);
            r.register(op.type(), OpFactories.opsetOf(op.version()), a -> op);
        }
    }
}
