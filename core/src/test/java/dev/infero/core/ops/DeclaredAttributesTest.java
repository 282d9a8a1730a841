package dev.infero.core.ops;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.fromIr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpFactories;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.Gelu;
import dev.infero.core.ops.eltwise.BitCast;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.ops.image.ImageDecoder;
import dev.infero.core.ops.logical.IsInf;
import dev.infero.core.ops.misc.AffineGrid;
import dev.infero.core.ops.misc.CenterCropPad;
import dev.infero.core.ops.misc.Col2Im;
import dev.infero.core.ops.misc.CumProd;
import dev.infero.core.ops.misc.Einsum;
import dev.infero.core.ops.misc.Eye;
import dev.infero.core.ops.misc.GridSample;
import dev.infero.core.ops.misc.LinearAttention;
import dev.infero.core.ops.misc.MelWeightMatrix;
import dev.infero.core.ops.misc.ReverseSequence;
import dev.infero.core.ops.misc.RotaryEmbedding;
import dev.infero.core.ops.misc.Stft;
import dev.infero.core.ops.misc.TensorScatter;
import dev.infero.core.ops.misc.Unique;
import dev.infero.core.ops.movement.BlockRearrangement;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.DepthToSpace;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.SpaceToDepth;
import dev.infero.core.ops.movement.Split;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.ops.selection.ArgExtremum;
import dev.infero.core.ops.selection.CumSum;
import dev.infero.core.ops.selection.GatherElements;
import dev.infero.core.ops.selection.GatherND;
import dev.infero.core.ops.selection.NonMaxSuppression;
import dev.infero.core.ops.selection.NonZero;
import dev.infero.core.ops.selection.OneHot;
import dev.infero.core.ops.selection.ScatterElementsUpdate;
import dev.infero.core.ops.selection.ScatterNDUpdate;
import dev.infero.core.ops.selection.TopK;
import dev.infero.core.ops.selection.Trilu;
import dev.infero.core.ops.sequence.ConcatFromSequence;
import dev.infero.core.ops.sequence.SequenceAt;
import dev.infero.core.ops.sequence.SplitToSequence;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.types.ElementType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ops that declare their attributes ({@code OpSpec}): each writes its IR attributes with the names, order and
 * spelling OpenVINO uses, reads back what it writes, and fills the attributes a file leaves out with their defaults;
 * a missing required attribute or a value that does not parse is an error naming the layer and the attribute.
 */
class DeclaredAttributesTest {
    private static final int INFERO = OpFactories.INFERO_OPSET;
    /** One op of each declared kind with its attributes away from their defaults (also used by EveryOpDeclaredTest). */
    static final List<Op> OPS = List.of(
            new TopK(-1, false, "index", ElementType.I32, true), new ArgExtremum(2, true, true),
            new CumSum(true, false),
            new CumProd(false, true), new GatherElements(-2), new GatherND(1),
            new NonMaxSuppression(true, false, ElementType.I32), new OneHot(1, true),
            new ScatterElementsUpdate("mean", false), new ScatterNDUpdate("sub"), new Trilu(false),
            new AffineGrid(true), new CenterCropPad(new long[] {1, 2}), new Col2Im(new long[] {2, 2},
                    new long[] {1, 1}, new long[] {0, 1}, new long[] {1, 0}), new Einsum("ij,jk->ik"),
            new GridSample(true, "nearest", "border"), new LinearAttention(LinearAttention.UpdateRule.DELTA, 4, 2,
                    0.25f), new LinearAttention(LinearAttention.UpdateRule.LINEAR, 2, 2, Float.NaN),
            new MelWeightMatrix(ElementType.F64), new ReverseSequence(1, 0), new RotaryEmbedding(true, 8, 32),
            new Stft(false), new TensorScatter(-1, true), new Unique(false, ElementType.I32, ElementType.I32),
            new DepthToSpace(BlockRearrangement.Mode.DEPTH_FIRST, 2),
            new SpaceToDepth(BlockRearrangement.Mode.BLOCKS_FIRST, 3), new Broadcast(Broadcast.Mode.BIDIRECTIONAL),
            new Concat(-3), new Gather(1), new Reshape(true),
            new Split(4), new ShapeOf(ElementType.I32), new Range(ElementType.F32), new Eye(ElementType.I8),
            new NonZero(ElementType.I32), new Clamp(-1, 6.5), new Elu(0.5), new Gelu(Gelu.Approximation.TANH),
            new BitCast(ElementType.U8), new Round(Round.Mode.HALF_AWAY_FROM_ZERO), new IsInf(false, true),
            new MatMul(false, true), new BatchNormInference(1e-3), new FakeQuantize(255),
            new QuantizeLinear(ElementType.I8, false), new QuantizeLinear(ElementType.U8),
            new ImageDecoder(ImageDecoder.PixelFormat.GRAYSCALE), new SequenceAt(3),
            new ConcatFromSequence(-1, true, 2),
            new SplitToSequence(1, false), new StridedSlice(new long[] {1, 0}, new long[] {0, 1}, new long[0],
                    new long[] {0, 1}, new long[0]));

    @Test
    void everyDeclaredOpReadsBackWhatItWrites() {
        for (Op op : OPS) {
            assertRoundTrips(op);
        }
    }

    @Test
    void attributesAreWrittenInIrOrderAndSpelling() {
        assertEquals("TopK(axis=-1, mode=min, sort=index, index_element_type=i32, stable=true)", OPS.get(0).toString());
        assertEquals("opset11", OPS.get(0).version());
        assertEquals("NonMaxSuppression(box_encoding=center, sort_result_descending=false, output_type=i32)",
                OPS.get(6).toString());
        assertEquals("OneHot(axis=1, negative_indices_mode=normalize)", OPS.get(7).toString());
        assertEquals("ScatterElementsUpdate(reduction=mean, use_init_val=false)", OPS.get(8).toString());
        assertEquals("Col2Im(strides=2,2, dilations=1,1, pads_begin=0,1, pads_end=1,0)", OPS.get(13).toString());
        assertEquals("LinearAttention(update_rule=delta, q_num_heads=4, kv_num_heads=2, scale=0.25)",
                OPS.get(16).toString());
        assertEquals("LinearAttention(update_rule=linear, q_num_heads=2, kv_num_heads=2)", OPS.get(17).toString());
        assertEquals("STFT(onesided=false)", OPS.get(21).toString());
        assertEquals("infero", OPS.get(21).version());
        assertEquals("CumProd(exclusive=false, reverse=true)", OPS.get(3).toString());
        assertEquals("DepthToSpace(block_size=2, mode=depth_first)", OPS.get(24).toString());
        assertEquals("Broadcast(mode=bidirectional)", OPS.get(26).toString());
        assertEquals("NonZero(output_type=i32)", OPS.get(34).toString());
        assertEquals("opset3", OPS.get(34).version());
        assertEquals("Clamp(min=-1, max=6.5)", OPS.get(35).toString());
        assertEquals("Gelu(approximation_mode=tanh)", OPS.get(37).toString());
        assertEquals("Round(mode=half_away_from_zero)", OPS.get(39).toString());
        assertEquals("IsInf(detect_negative=false, detect_positive=true)", OPS.get(40).toString());
        assertEquals("MatMul(transpose_a=false, transpose_b=true)", OPS.get(41).toString());
        assertEquals("BatchNormInference(epsilon=0.001)", OPS.get(42).toString());
        assertEquals("opset5", OPS.get(42).version());
        assertEquals("FakeQuantize(levels=255, auto_broadcast=numpy)", OPS.get(43).toString());
        assertEquals("QuantizeLinear(destination_type=i8, saturate=false)", OPS.get(44).toString());
        assertEquals("QuantizeLinear(destination_type=u8)", OPS.get(45).toString());
        assertEquals("ImageDecoder(pixel_format=grayscale)", OPS.get(46).toString());
        assertEquals("ConcatFromSequence(axis=-1, new_axis=true, item_rank=2)", OPS.get(48).toString());
        assertEquals("StridedSlice(begin_mask=1,0, end_mask=0,1, new_axis_mask=, shrink_axis_mask=0,1, "
                + "ellipsis_mask=)", OPS.get(50).toString());
    }

    @Test
    void attributesAFileLeavesOutGetTheirDefaults() {
        assertEquals("TopK(axis=1, mode=max, sort=none, index_element_type=i64, stable=false)",
                fromIr("TopK", 11, "axis=1", "mode=max").toString());
        assertEquals("NonMaxSuppression(box_encoding=corner, sort_result_descending=true, output_type=i64)",
                fromIr("NonMaxSuppression", 9).toString());
        assertEquals("ReverseSequence(batch_axis=0, seq_axis=1)", fromIr("ReverseSequence", 1).toString());
        assertEquals("RotaryEmbedding(interleaved=false, num_heads=0, rotary_embedding_dim=0)",
                fromIr("RotaryEmbedding", INFERO).toString());
        assertEquals("LinearAttention(update_rule=gated_delta, q_num_heads=2, kv_num_heads=1)",
                fromIr("LinearAttention", INFERO, "q_num_heads=2", "kv_num_heads=1").toString());
        assertEquals("GatherND(batch_dims=0)", fromIr("GatherND", 8).toString());
        assertEquals("CenterCropPad(axes=)", fromIr("CenterCropPad", INFERO).toString());
        assertEquals("Unique(sorted=true, index_element_type=i64, count_element_type=i64)",
                fromIr("Unique", 10).toString());
        assertEquals("SpaceToDepth(block_size=2, mode=blocks_first)", fromIr("SpaceToDepth", 1, "block_size=2")
                .toString());
        assertEquals("NonZero(output_type=i64)", fromIr("NonZero", 3).toString());
        assertEquals("ShapeOf(output_type=i64)", fromIr("ShapeOf", 1).toString());
        assertEquals("Gather(batch_dims=0)", fromIr("Gather", 8).toString());
        assertEquals("Reshape(special_zero=false)", fromIr("Reshape", 1).toString());
        assertEquals("Gelu(approximation_mode=erf)", fromIr("Gelu", 7).toString());
        assertEquals("Round(mode=half_to_even)", fromIr("Round", 5).toString());
        assertEquals("IsInf(detect_negative=true, detect_positive=true)", fromIr("IsInf", 10).toString());
        assertEquals("MatMul(transpose_a=false, transpose_b=false)", fromIr("MatMul", 1).toString());
        assertEquals("BatchNormInference(epsilon=1.0E-5)", fromIr("BatchNormInference", 1, "epsilon=1e-5").toString());
        assertEquals("QuantizeLinear(destination_type=u8)",
                fromIr("QuantizeLinear", INFERO, "destination_type=u8").toString());
        assertEquals("ImageDecoder(pixel_format=rgb)", fromIr("ImageDecoder", INFERO).toString());
        assertEquals("SequenceAt(item_rank=-1)", fromIr("SequenceAt", INFERO).toString());
        assertEquals("SplitToSequence(axis=0, keepdims=true)", fromIr("SplitToSequence", INFERO).toString());
        assertEquals("StridedSlice(begin_mask=1, end_mask=0, new_axis_mask=, shrink_axis_mask=, ellipsis_mask=)",
                fromIr("StridedSlice", 1, "begin_mask=1", "end_mask=0").toString());
    }

    @Test
    void aMissingOrMalformedAttributeNamesLayerAndAttribute() {
        assertThrows(InferoException.class, () -> fromIr("Eye", 9));
        InferoException missing = assertThrows(InferoException.class, () -> fromIr("GatherElements", 6));
        assertTrue(missing.getMessage().contains("'test' (GatherElements)")
                && missing.getMessage().contains("'axis'"), missing.getMessage());
        InferoException malformed = assertThrows(InferoException.class,
                () -> fromIr("TensorScatter", INFERO, "axis=first"));
        assertTrue(malformed.getMessage().contains("axis=\"first\" is not an integer"), malformed.getMessage());
        InferoException enumValue = assertThrows(InferoException.class,
                () -> fromIr("LinearAttention", INFERO, "update_rule=fast", "q_num_heads=1",
                        "kv_num_heads=1"));
        assertTrue(enumValue.getMessage().contains("update_rule=\"fast\""), enumValue.getMessage());
    }
}
