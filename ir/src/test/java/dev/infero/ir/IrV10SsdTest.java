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
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.ReferenceRunner;
import java.io.ByteArrayOutputStream;
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

    private static final String XML = """
            <?xml version="1.0" ?>
            <net name="ssd_head" version="10">
              <layers>
                <layer id="0" name="loc" type="Parameter" version="opset1">
                  <data element_type="f32" shape="1,16"/>
                  <output><port id="0" precision="FP32" names="loc"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="1" name="conf" type="Parameter" version="opset1">
                  <data element_type="f32" shape="1,12"/>
                  <output><port id="0" precision="FP32" names="conf"><dim>1</dim><dim>12</dim></port></output>
                </layer>
                <layer id="2" name="loc_scale_compressed" type="Const" version="opset1">
                  <data element_type="f16" shape="1,16" offset="0" size="32"/>
                  <output><port id="1" precision="FP16"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="3" name="loc_scale" type="Convert" version="opset1">
                  <data destination_type="f32"/>
                  <rt_info><attribute name="decompression" version="0"/></rt_info>
                  <input><port id="0"><dim>1</dim><dim>16</dim></port></input>
                  <output><port id="1" precision="FP32"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="4" name="box_logits" type="Multiply" version="opset1">
                  <data auto_broadcast="numpy"/>
                  <input>
                    <port id="0"><dim>1</dim><dim>16</dim></port>
                    <port id="1"><dim>1</dim><dim>16</dim></port>
                  </input>
                  <output><port id="2" precision="FP32"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="5" name="feature_shape" type="Const" version="opset1">
                  <data element_type="i64" shape="4" offset="32" size="32"/>
                  <output><port id="1" precision="I64"><dim>4</dim></port></output>
                </layer>
                <layer id="6" name="image_shape" type="Const" version="opset1">
                  <data element_type="i64" shape="4" offset="64" size="32"/>
                  <output><port id="1" precision="I64"><dim>4</dim></port></output>
                </layer>
                <layer id="7" name="hw_begin" type="Const" version="opset1">
                  <data element_type="i64" shape="1" offset="96" size="8"/>
                  <output><port id="1" precision="I64"><dim>1</dim></port></output>
                </layer>
                <layer id="8" name="hw_end" type="Const" version="opset1">
                  <data element_type="i64" shape="1" offset="104" size="8"/>
                  <output><port id="1" precision="I64"><dim>1</dim></port></output>
                </layer>
                <layer id="9" name="hw_stride" type="Const" version="opset1">
                  <data element_type="i64" shape="1" offset="112" size="8"/>
                  <output><port id="1" precision="I64"><dim>1</dim></port></output>
                </layer>
                <layer id="10" name="feature_hw" type="StridedSlice" version="opset1">
                  <data begin_mask="0" end_mask="0" ellipsis_mask="0" new_axis_mask="0" shrink_axis_mask="0"/>
                  <input>
                    <port id="0"><dim>4</dim></port>
                    <port id="1"><dim>1</dim></port>
                    <port id="2"><dim>1</dim></port>
                    <port id="3"><dim>1</dim></port>
                  </input>
                  <output><port id="4" precision="I64"><dim>2</dim></port></output>
                </layer>
                <layer id="11" name="image_hw" type="StridedSlice" version="opset1">
                  <data begin_mask="0" end_mask="0" ellipsis_mask="0" new_axis_mask="0" shrink_axis_mask="0"/>
                  <input>
                    <port id="0"><dim>4</dim></port>
                    <port id="1"><dim>1</dim></port>
                    <port id="2"><dim>1</dim></port>
                    <port id="3"><dim>1</dim></port>
                  </input>
                  <output><port id="4" precision="I64"><dim>2</dim></port></output>
                </layer>
                <layer id="12" name="priors" type="PriorBoxClustered" version="opset1">
                  <data clip="0" height="2.0,1.0" offset="0.5" step="0.0" step_h="0.0" step_w="0.0"
                        variance="0.1,0.1,0.2,0.2" width="2.0,4.0"/>
                  <input>
                    <port id="0"><dim>2</dim></port>
                    <port id="1"><dim>2</dim></port>
                  </input>
                  <output><port id="2" precision="FP32"><dim>2</dim><dim>16</dim></port></output>
                </layer>
                <layer id="13" name="priors_axes" type="Const" version="opset1">
                  <data element_type="i64" shape="1" offset="120" size="8"/>
                  <output><port id="1" precision="I64"><dim>1</dim></port></output>
                </layer>
                <layer id="14" name="priors_3d" type="Unsqueeze" version="opset1">
                  <input>
                    <port id="0"><dim>2</dim><dim>16</dim></port>
                    <port id="1"><dim>1</dim></port>
                  </input>
                  <output><port id="2" precision="FP32"><dim>1</dim><dim>2</dim><dim>16</dim></port></output>
                </layer>
                <layer id="15" name="detection_out" type="DetectionOutput" version="opset1">
                  <data background_label_id="0" clip_after_nms="False" clip_before_nms="False"
                        code_type="caffe.PriorBoxParameter.CORNER" confidence_threshold="0.62"
                        decrease_label_id="False" input_height="1" input_width="1" keep_top_k="5"
                        nms_threshold="0.45" normalized="1" num_classes="3" objectness_score="0"
                        share_location="1" top_k="100" variance_encoded_in_target="0"/>
                  <input>
                    <port id="0"><dim>1</dim><dim>16</dim></port>
                    <port id="1"><dim>1</dim><dim>12</dim></port>
                    <port id="2"><dim>1</dim><dim>2</dim><dim>16</dim></port>
                  </input>
                  <output><port id="3" precision="FP32"><dim>1</dim><dim>1</dim><dim>5</dim><dim>7</dim></port></output>
                </layer>
                <layer id="16" name="detection_out/sink_port_0" type="Result" version="opset1">
                  <input><port id="0"><dim>1</dim><dim>1</dim><dim>5</dim><dim>7</dim></port></input>
                </layer>
              </layers>
              <edges>
                <edge from-layer="2" from-port="1" to-layer="3" to-port="0"/>
                <edge from-layer="0" from-port="0" to-layer="4" to-port="0"/>
                <edge from-layer="3" from-port="1" to-layer="4" to-port="1"/>
                <edge from-layer="5" from-port="1" to-layer="10" to-port="0"/>
                <edge from-layer="7" from-port="1" to-layer="10" to-port="1"/>
                <edge from-layer="8" from-port="1" to-layer="10" to-port="2"/>
                <edge from-layer="9" from-port="1" to-layer="10" to-port="3"/>
                <edge from-layer="6" from-port="1" to-layer="11" to-port="0"/>
                <edge from-layer="7" from-port="1" to-layer="11" to-port="1"/>
                <edge from-layer="8" from-port="1" to-layer="11" to-port="2"/>
                <edge from-layer="9" from-port="1" to-layer="11" to-port="3"/>
                <edge from-layer="10" from-port="4" to-layer="12" to-port="0"/>
                <edge from-layer="11" from-port="4" to-layer="12" to-port="1"/>
                <edge from-layer="12" from-port="2" to-layer="14" to-port="0"/>
                <edge from-layer="13" from-port="1" to-layer="14" to-port="1"/>
                <edge from-layer="4" from-port="2" to-layer="15" to-port="0"/>
                <edge from-layer="1" from-port="0" to-layer="15" to-port="1"/>
                <edge from-layer="14" from-port="2" to-layer="15" to-port="2"/>
                <edge from-layer="15" from-port="3" to-layer="16" to-port="0"/>
              </edges>
              <meta_data>
                <MO_version value="2021.4.2-3974-e2a469a3450-releases/2021/4"/>
                <cli_parameters><data_type value="FP16"/></cli_parameters>
              </meta_data>
            </net>
            """;

    /** The .bin: f16 scale 2.0 ×16, shapes [1,16,1,2] (NCHW feature map) and [1,3,4,8] (image), 2, 4, 1, 0. */
    private static byte[] bin() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        float[] scale = new float[16];
        java.util.Arrays.fill(scale, 2f);
        out.write(TensorBytes.toLittleEndian(Tensor.of(scale, 1, 16).convertTo(ElementType.F16)));
        out.write(TensorBytes.toLittleEndian(Tensor.vector(1, 16, 1, 2)));
        out.write(TensorBytes.toLittleEndian(Tensor.vector(1, 3, 4, 8)));
        for (long v : new long[] {2, 4, 1, 0}) {
            out.write(TensorBytes.toLittleEndian(Tensor.vector(v)));
        }
        return out.toByteArray();
    }

    private Path writeIr() throws Exception {
        Path xml = dir.resolve("ssd_head.xml");
        Files.writeString(xml, XML);
        byte[] weights = bin();
        assertEquals(128, weights.length);
        Files.write(dir.resolve("ssd_head.bin"), weights);
        return xml;
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
