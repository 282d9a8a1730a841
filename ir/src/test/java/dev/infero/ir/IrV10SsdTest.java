package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpRegistry;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.detection.DetectionOutput;
import dev.infero.core.ops.detection.PriorBox;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.IrXml;
import dev.infero.testing.ReferenceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SSD head as Model Optimizer wrote it in IR v10: the feature-map and image sizes are cut out of shape vectors by
 * StridedSlice, PriorBoxClustered generates four priors that Unsqueeze makes 3-D, box predictions are scaled by FP16
 * weights behind a decompression Convert, and DetectionOutput produces the [1,1,N,7] detection list. Old-style
 * details are deliberate: Const output ports numbered 1, booleans written 0/1 and False, floats with ".0".
 */
class IrV10SsdTest {
    @TempDir
    Path dir;

    /**
     * The IR and its .bin: f16 scale 2.0 ×16, shapes [1,16,1,2] (NCHW feature map) and [1,3,4,8] (image), 2, 4, 1, 0.
     */
    private static IrXml ir() {
        IrXml ir = new IrXml("ssd_head", 10);
        int loc = ir.layer("loc", "Parameter", "opset1").data("element_type=\"f32\" shape=\"1,16\"")
                .out(0, "FP32", "loc", 1, 16).id();
        int conf = ir.layer("conf", "Parameter", "opset1").data("element_type=\"f32\" shape=\"1,12\"")
                .out(0, "FP32", "conf", 1, 12).id();
        float[] twos = new float[16];
        java.util.Arrays.fill(twos, 2f);
        int compressed = ir.constant("loc_scale_compressed", Tensor.of(twos, 1, 16).convertTo(ElementType.F16), 1);
        int scale = ir.layer("loc_scale", "Convert", "opset1").data("destination_type=\"f32\"")
                .rtInfo("<attribute name=\"decompression\" version=\"0\"/>").in(1, 16).out(1, "FP32", 1, 16).id();
        int boxes = ir.layer("box_logits", "Multiply", "opset1").data("auto_broadcast=\"numpy\"").in(1, 16).in(1, 16)
                .out(2, "FP32", 1, 16).id();
        int[] shapes = {ir.constant("feature_shape", Tensor.vector(1, 16, 1, 2), 1),
            ir.constant("image_shape", Tensor.vector(1, 3, 4, 8), 1)};
        int begin = ir.constant("hw_begin", Tensor.vector(2), 1);
        int end = ir.constant("hw_end", Tensor.vector(4), 1);
        int stride = ir.constant("hw_stride", Tensor.vector(1), 1);
        String[] hwNames = {"feature_hw", "image_hw"};
        int[] hw = new int[2];
        for (int i = 0; i < 2; i++) {
            hw[i] = ir.layer(hwNames[i], "StridedSlice", "opset1").data("begin_mask=\"0\" end_mask=\"0\" "
                    + "ellipsis_mask=\"0\" new_axis_mask=\"0\" shrink_axis_mask=\"0\"").in(4).in(1).in(1).in(1)
                    .out(4, "I64", 2).id();
            ir.edge(shapes[i], 1, hw[i], 0).edge(begin, 1, hw[i], 1).edge(end, 1, hw[i], 2).edge(stride, 1, hw[i], 3);
        }
        int priors = ir.layer("priors", "PriorBoxClustered", "opset1").data("clip=\"0\" height=\"2.0,1.0\" "
                + "offset=\"0.5\" step=\"0.0\" step_h=\"0.0\" step_w=\"0.0\" variance=\"0.1,0.1,0.2,0.2\" "
                + "width=\"2.0,4.0\"").in(2).in(2).out(2, "FP32", 2, 16).id();
        int axes = ir.constant("priors_axes", Tensor.vector(0), 1);
        int priors3d = ir.layer("priors_3d", "Unsqueeze", "opset1").in(2, 16).in(1).out(2, "FP32", 1, 2, 16).id();
        int detections = ir.layer("detection_out", "DetectionOutput", "opset1").data("background_label_id=\"0\" "
                + "clip_after_nms=\"False\" clip_before_nms=\"False\" code_type=\"caffe.PriorBoxParameter.CORNER\" "
                + "confidence_threshold=\"0.62\" decrease_label_id=\"False\" input_height=\"1\" input_width=\"1\" "
                + "keep_top_k=\"5\" nms_threshold=\"0.45\" normalized=\"1\" num_classes=\"3\" "
                + "objectness_score=\"0\" share_location=\"1\" top_k=\"100\" variance_encoded_in_target=\"0\"")
                .in(1, 16).in(1, 12).in(1, 2, 16).out(3, "FP32", 1, 1, 5, 7).id();
        int result = ir.result("detection_out/sink_port_0", 1, 1, 5, 7);
        ir.edge(compressed, 1, scale, 0).edge(loc, 0, boxes, 0).edge(scale, 1, boxes, 1)
                .edge(hw[0], 4, priors, 0).edge(hw[1], 4, priors, 1).edge(priors, 2, priors3d, 0)
                .edge(axes, 1, priors3d, 1).edge(boxes, 2, detections, 0).edge(conf, 0, detections, 1)
                .edge(priors3d, 2, detections, 2).edge(detections, 3, result, 0);
        return ir.metaData("<MO_version value=\"2021.4.2-3974-e2a469a3450-releases/2021/4\"/>"
                + "<cli_parameters><data_type value=\"FP16\"/></cli_parameters>");
    }

    private Path writeIr() {
        IrXml ir = ir();
        assertEquals(128, ir.bin().length);
        return ir.write(dir, "ssd_head");
    }

    /**
     * Box predictions, 4 per prior; only prior 2 moves: (0.5, 0.5, 0.25, 0.25) scaled by 2 = (1, 1, 0.5, 0.5).
     * Confidences [background, class 1, class 2] per prior.
     */
    private static final Tensor LOC = Tensor.of(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0.5f, 0.5f, 0.25f, 0.25f,
        0, 0, 0, 0}, 1, 16);
    private static final Tensor CONF = Tensor.of(new float[] {0.1f, 0.8f, 0.1f, 0.2f, 0.1f, 0.7f, 0.05f, 0.9f, 0.05f,
        0.1f, 0.2f, 0.65f}, 1, 12);

    /**
     * The priors (image 8 wide, 4 high; feature map 1x2, so steps 4 and centres (2,2), (6,2); boxes 2x2 and 4x1):
     * p0 (0.125, 0.25, 0.375, 0.75), p1 (0, 0.375, 0.5, 0.625), p2 (0.625, 0.25, 0.875, 0.75), p3 (0.5, 0.375, 1,
     * 0.625). Above the 0.62 threshold: class 1 p2 (0.9), p0 (0.8); class 2 p1 (0.7), p3 (0.65); none overlap.
     * p2 decodes to (0.625 + 0.1·1, 0.25 + 0.1·1, 0.875 + 0.2·0.5, 0.75 + 0.2·0.5).
     */
    private static final float[] EXPECTED = {
        0, 1, 0.9f, 0.725f, 0.35f, 0.975f, 0.85f,
        0, 1, 0.8f, 0.125f, 0.25f, 0.375f, 0.75f,
        0, 2, 0.7f, 0f, 0.375f, 0.5f, 0.625f,
        0, 2, 0.65f, 0.5f, 0.375f, 1f, 0.625f,
        -1, 0, 0, 0, 0, 0, 0};

    @Test
    void aModelOptimizerV10SsdHeadLoadsAndDetects() throws Exception {
        Graph g = IrReader.read(writeIr());
        assertEquals("ssd_head", g.name());
        Node priors = node(g, "priors");
        assertEquals("PriorBoxClustered", priors.type());
        // The StridedSlices of constant shapes fold, so the prior count is known when the model loads.
        assertEquals(PartialShape.of(2, 16), priors.output(0).shape());
        assertEquals(Map.of("decompression", ""), node(g, "loc_scale").rtInfo());
        Node detections = node(g, "detection_out");
        assertEquals(PartialShape.of(1, 1, 5, 7), detections.output(0).shape());
        assertEquals(List.of("detection_out/sink_port_0"), g.results().stream().map(Node::name).toList());

        Tensor out = ReferenceRunner.run(g, Map.of("loc", LOC, "conf", CONF)).get(g.results().get(0).name());
        assertArrayEquals(new int[] {1, 1, 5, 7}, out.shape());
        float[] actual = out.toFloatArray();
        for (int i = 0; i < EXPECTED.length; i++) {
            assertEquals(EXPECTED[i], actual[i], 1e-6, "row " + i / 7 + " column " + i % 7);
        }
    }

    @Test
    void writingAndReadingBackKeepsEveryLayerAndTheResult() throws Exception {
        Graph original = IrReader.read(writeIr());
        Graph again = IrReader.read(IrWriter.write(original, dir.resolve("v11"), "ssd_head").xml());
        assertSameLayers(original, again);
        Map<String, Tensor> inputs = Map.of("loc", LOC, "conf", CONF);
        assertTrue(ReferenceRunner.run(original, inputs).get(original.results().get(0).name())
                .contentEquals(ReferenceRunner.run(again, inputs).get(again.results().get(0).name())));
    }

    @Test
    void theNewerVersionsAndEveryMaskRoundTripExactly() throws Exception {
        Graph g = new Graph("versions");
        Value size = g.addParameter("size", ElementType.I32, PartialShape.of(2)).output(0);
        Value image = g.addConstant("image", Tensor.of(new int[] {300, 300}, 2)).output(0);
        PriorBox.Attributes attrs = PriorBox.Attributes.read(new AttributeSource("pb", Map.of("min_size", "21,45",
                "max_size", "45,99", "aspect_ratio", "2,3", "flip", "true", "clip", "true", "step", "8",
                "offset", "0.5", "variance", "0.1,0.1,0.2,0.2")));
        Value pb = g.value(PriorBox.v8(attrs, false), "pb8", size, image);
        Value axes = g.addConstant("axes", Tensor.vector(0)).output(0);
        Value priors = g.value(new Unsqueeze(), "unsqueeze", pb, axes);
        Value loc = g.addParameter("loc", ElementType.F32, PartialShape.of(-1, -1)).output(0);
        Value conf = g.addParameter("conf", ElementType.F32, PartialShape.of(-1, -1)).output(0);
        Value det = g.value(OpRegistry.factory("DetectionOutput", 8).apply(new AttributeSource("do", Map.of(
                "keep_top_k", "200", "nms_threshold", "0.45", "code_type", "caffe.PriorBoxParameter.CENTER_SIZE",
                "confidence_threshold", "0.01", "clip_before_nms", "true", "normalized", "true"))),
                "do8", loc, conf, priors);
        Value begin = g.addConstant("begin", Tensor.vector(0, 0, 0, 1)).output(0);
        Value end = g.addConstant("end", Tensor.vector(0, 0, 0, 3)).output(0);
        Value sliced = g.value(new StridedSlice(new long[] {1, 0, 0, 0}, new long[] {1, 0, 0, 0},
                new long[] {0, 1, 0, 0}, new long[] {0, 0, 1, 0}, new long[] {0, 0, 0, 0}), "ss", det, begin, end);
        g.addResult("boxes", sliced);
        Graph again = IrReader.read(IrWriter.write(g, dir, "versions").xml());
        assertSameLayers(g, again);
        assertEquals("opset8", node(again, "pb8").op().version());
        assertEquals("opset8", node(again, "do8").op().version());
        assertTrue(node(again, "do8").op() instanceof DetectionOutput);
        String xml = Files.readString(dir.resolve("versions.xml"));
        assertTrue(xml.contains("min_max_aspect_ratios_order=\"false\""), xml);
        assertTrue(xml.contains("code_type=\"caffe.PriorBoxParameter.CENTER_SIZE\""), xml);
        assertTrue(!xml.contains("num_classes"), xml);
    }

    private static void assertSameLayers(Graph a, Graph b) {
        assertEquals(a.nodes().size(), b.nodes().size());
        for (int i = 0; i < a.nodes().size(); i++) {
            Node x = a.nodes().get(i);
            Node y = b.nodes().get(i);
            assertEquals(x.name(), y.name());
            assertEquals(x.op().toString(), y.op().toString(), x.name());
            assertEquals(x.op().version(), y.op().version(), x.name());
            assertEquals(x.rtInfo(), y.rtInfo(), x.name());
            for (int k = 0; k < x.outputs().size(); k++) {
                assertEquals(x.output(k).shape(), y.output(k).shape(), x.name());
                assertEquals(x.output(k).type(), y.output(k).type(), x.name());
            }
        }
    }

    private static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
