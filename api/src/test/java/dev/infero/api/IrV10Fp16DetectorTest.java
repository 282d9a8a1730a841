package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static String xml(String ft) {
        String p = ft.equals("f16") ? "FP16" : "FP32";
        int w = ft.equals("f16") ? 2 : 4;
        int conf = 0;
        int scale = 8 * w;
        int shapes = scale + 16 * w;
        return """
            <?xml version="1.0" ?>
            <net name="detector_head" version="10">
              <layers>
                <layer id="0" name="loc" type="Parameter" version="opset1">
                  <data element_type="FT" shape="1,16"/>
                  <output><port id="0" precision="P"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="1" name="conf" type="Const" version="opset1">
                  <data element_type="FT" shape="1,8" offset="CONF" size="CSIZE"/>
                  <output><port id="1" precision="P"><dim>1</dim><dim>8</dim></port></output>
                </layer>
                <layer id="2" name="scale" type="Const" version="opset1">
                  <data element_type="FT" shape="1,16" offset="SCALE" size="SSIZE"/>
                  <output><port id="1" precision="P"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="3" name="box_logits" type="Multiply" version="opset1">
                  <data auto_broadcast="numpy"/>
                  <input><port id="0"><dim>1</dim><dim>16</dim></port><port id="1"><dim>1</dim><dim>16</dim></port></input>
                  <output><port id="2" precision="P"><dim>1</dim><dim>16</dim></port></output>
                </layer>
                <layer id="4" name="feature_hw" type="Const" version="opset1">
                  <data element_type="i64" shape="2" offset="SHAPES" size="16"/>
                  <output><port id="1" precision="I64"><dim>2</dim></port></output>
                </layer>
                <layer id="5" name="image_hw" type="Const" version="opset1">
                  <data element_type="i64" shape="2" offset="IMAGE" size="16"/>
                  <output><port id="1" precision="I64"><dim>2</dim></port></output>
                </layer>
                <layer id="6" name="priors" type="PriorBoxClustered" version="opset1">
                  <data clip="0" height="2.0" offset="0.5" step="0.0" step_h="0.0" step_w="0.0"
                        variance="0.1,0.1,0.2,0.2" width="2.0"/>
                  <input><port id="0"><dim>2</dim></port><port id="1"><dim>2</dim></port></input>
                  <output><port id="2" precision="FP32"><dim>2</dim><dim>16</dim></port></output>
                </layer>
                <layer id="7" name="priors_axes" type="Const" version="opset1">
                  <data element_type="i64" shape="1" offset="AXES" size="8"/>
                  <output><port id="1" precision="I64"><dim>1</dim></port></output>
                </layer>
                <layer id="8" name="priors_3d" type="Unsqueeze" version="opset1">
                  <input><port id="0"><dim>2</dim><dim>16</dim></port><port id="1"><dim>1</dim></port></input>
                  <output><port id="2" precision="FP32"><dim>1</dim><dim>2</dim><dim>16</dim></port></output>
                </layer>
                <layer id="9" name="detection_out" type="DetectionOutput" version="opset1">
                  <data background_label_id="0" clip_after_nms="False" clip_before_nms="False"
                        code_type="caffe.PriorBoxParameter.CENTER_SIZE" confidence_threshold="0.5"
                        decrease_label_id="False" input_height="1" input_width="1" keep_top_k="4"
                        nms_threshold="0.45" normalized="1" num_classes="2" objectness_score="0"
                        share_location="1" top_k="100" variance_encoded_in_target="0"/>
                  <input>
                    <port id="0"><dim>1</dim><dim>16</dim></port>
                    <port id="1"><dim>1</dim><dim>8</dim></port>
                    <port id="2"><dim>1</dim><dim>2</dim><dim>16</dim></port>
                  </input>
                  <output><port id="3" precision="P"><dim>1</dim><dim>1</dim><dim>4</dim><dim>7</dim></port></output>
                </layer>
                <layer id="10" name="detections" type="Result" version="opset1">
                  <input><port id="0"><dim>1</dim><dim>1</dim><dim>4</dim><dim>7</dim></port></input>
                </layer>
              </layers>
              <edges>
                <edge from-layer="0" from-port="0" to-layer="3" to-port="0"/>
                <edge from-layer="2" from-port="1" to-layer="3" to-port="1"/>
                <edge from-layer="4" from-port="1" to-layer="6" to-port="0"/>
                <edge from-layer="5" from-port="1" to-layer="6" to-port="1"/>
                <edge from-layer="6" from-port="2" to-layer="8" to-port="0"/>
                <edge from-layer="7" from-port="1" to-layer="8" to-port="1"/>
                <edge from-layer="3" from-port="2" to-layer="9" to-port="0"/>
                <edge from-layer="1" from-port="1" to-layer="9" to-port="1"/>
                <edge from-layer="8" from-port="2" to-layer="9" to-port="2"/>
                <edge from-layer="9" from-port="3" to-layer="10" to-port="0"/>
              </edges>
            </net>
            """.replace("FT", ft).replace("\"P\"", "\"" + p + "\"").replace("CONF", Integer.toString(conf))
                .replace("CSIZE", Integer.toString(8 * w)).replace("SCALE", Integer.toString(scale))
                .replace("SSIZE", Integer.toString(16 * w)).replace("SHAPES", Integer.toString(shapes))
                .replace("IMAGE", Integer.toString(shapes + 16)).replace("AXES", Integer.toString(shapes + 32));
    }

    private Tensor detect(String ft, Tensor loc) throws Exception {
        boolean half = ft.equals("f16");
        int w = half ? 2 : 4;
        ByteBuffer bin = ByteBuffer.allocate(24 * w + 40).order(ByteOrder.LITTLE_ENDIAN);
        for (float c : CONF) {
            put(bin, c, half);
        }
        for (int i = 0; i < 16; i++) {
            put(bin, 0.5f, half);
        }
        bin.putLong(2).putLong(2).putLong(4).putLong(4).putLong(0);
        Path xml = Files.writeString(dir.resolve(ft + ".xml"), xml(ft));
        Files.write(dir.resolve(ft + ".bin"), bin.array());
        try (Core core = new Core(); CompiledModel m = core.compileModel(core.readModel(xml), "CPU")) {
            return SingleRun.once(m, loc);
        }
    }

    private static void put(ByteBuffer bin, float v, boolean half) {
        if (half) {
            bin.putShort(Float.floatToFloat16(v));
        } else {
            bin.putFloat(v);
        }
    }

    @Test
    void anFp16DetectorWithAnF32PriorBranchDetectsAsItsFp32Twin() throws Exception {
        float[] offsets = new float[16];
        for (int i = 0; i < 16; i++) {
            offsets[i] = (i % 4 < 2 ? 0.25f : -0.5f) * (i / 4 % 2 == 0 ? 1 : -1); // shifts and shrinks each box
        }
        Tensor loc = Tensor.of(offsets, 1, 16);
        Tensor half = detect("f16", loc);
        Tensor full = detect("f32", loc);
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
