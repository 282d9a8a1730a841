package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.IrXml;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detector head in an FP16 IR v10 as older Model Optimizers wrote it: the box logits and class confidences are
 * f16, the PriorBoxClustered branch stays f32, and DetectionOutput takes both. Infero runs it in f32 (inference
 * precision) and gives the detections of the same IR written in FP32.
 */
class IrV10Fp16DetectorTest {
    @TempDir
    Path dir;

    private static final float[] CONF = {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f, 0.05f, 0.95f}; // (background, face)

    /** The IR with the data path in {@code ft} (f16 or f32); priors and the shape constants are f32/i64 always. */
    private static IrXml ir(ElementType ft) {
        String p = ft.precision();
        IrXml ir = new IrXml("detector_head", 10);
        int loc = ir.parameter("loc", ft, 1, 16);
        int conf = ir.constant("conf", Tensor.of(CONF, 1, 8).convertTo(ft), 1);
        float[] halves = new float[16];
        Arrays.fill(halves, 0.5f);
        int scale = ir.constant("scale", Tensor.of(halves, 1, 16).convertTo(ft), 1);
        int boxes = ir.layer("box_logits", "Multiply", "opset1").data("auto_broadcast=\"numpy\"").in(1, 16).in(1, 16)
                .out(2, p, 1, 16).id();
        int featureHw = ir.constant("feature_hw", Tensor.vector(2, 2), 1);
        int imageHw = ir.constant("image_hw", Tensor.vector(4, 4), 1);
        int priors = ir.layer("priors", "PriorBoxClustered", "opset1").data("clip=\"0\" height=\"2.0\" offset=\"0.5\" "
                + "step=\"0.0\" step_h=\"0.0\" step_w=\"0.0\" variance=\"0.1,0.1,0.2,0.2\" width=\"2.0\"").in(2).in(2)
                .out(2, "FP32", 2, 16).id();
        int axes = ir.constant("priors_axes", Tensor.vector(0), 1);
        int priors3d = ir.layer("priors_3d", "Unsqueeze", "opset1").in(2, 16).in(1).out(2, "FP32", 1, 2, 16).id();
        int detections = ir.layer("detection_out", "DetectionOutput", "opset1").data("background_label_id=\"0\" "
                + "clip_after_nms=\"False\" clip_before_nms=\"False\" code_type=\"caffe.PriorBoxParameter.CENTER_SIZE\" "
                + "confidence_threshold=\"0.5\" decrease_label_id=\"False\" input_height=\"1\" input_width=\"1\" "
                + "keep_top_k=\"4\" nms_threshold=\"0.45\" normalized=\"1\" num_classes=\"2\" objectness_score=\"0\" "
                + "share_location=\"1\" top_k=\"100\" variance_encoded_in_target=\"0\"")
                .in(1, 16).in(1, 8).in(1, 2, 16).out(3, p, 1, 1, 4, 7).id();
        ir.edge(loc, 0, boxes, 0).edge(scale, 1, boxes, 1).edge(featureHw, 1, priors, 0).edge(imageHw, 1, priors, 1)
                .edge(priors, 2, priors3d, 0).edge(axes, 1, priors3d, 1).edge(boxes, 2, detections, 0)
                .edge(conf, 1, detections, 1).edge(priors3d, 2, detections, 2)
                .edge(detections, 3, ir.result("detections", 1, 1, 4, 7), 0);
        return ir;
    }

    private Tensor detect(ElementType ft, Tensor loc) {
        Path xml = ir(ft).write(dir, ft.irName());
        try (Core core = new Core(); CompiledModel m = core.compileModel(core.readModel(xml), "CPU")) {
            return SingleRun.once(m, loc);
        }
    }

    @Test
    void anFp16DetectorWithAnF32PriorBranchDetectsAsItsFp32Twin() {
        float[] offsets = new float[16];
        for (int i = 0; i < 16; i++) {
            offsets[i] = (i % 4 < 2 ? 0.25f : -0.5f) * (i / 4 % 2 == 0 ? 1 : -1); // shifts and shrinks each box
        }
        Tensor loc = Tensor.of(offsets, 1, 16);
        Tensor half = detect(ElementType.F16, loc);
        Tensor full = detect(ElementType.F32, loc);
        assertArrayEquals(new int[] {1, 1, 4, 7}, half.shape());
        float[] h = half.toFloatArray();
        float[] f = full.toFloatArray();
        // three priors have a face confidence above 0.5: 0.95, 0.9, 0.7, best first; the fourth row ends the list
        float[] confidences = {h[2], h[9], h[16]};
        assertArrayEquals(new float[] {0.95f, 0.9f, 0.7f}, confidences, 1e-3f);
        assertEquals(-1f, h[21]);
        for (int i = 0; i < 21; i++) {
            assertEquals(f[i], h[i], 1e-3, "element " + i + " (the FP32 IR gives the reference)");
        }
    }
}
