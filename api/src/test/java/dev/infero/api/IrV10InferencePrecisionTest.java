package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An FP16 IR v10 as older Model Optimizers wrote it: an f16 input, f16 weights used directly (no decompression
 * Convert), an opset1 {@code PReLU} layer (the IR spelling), and a branch kept in f32 meeting the f16 activations. Infero
 * runs it in f32 as OpenVINO's CPU plugin does: the input is f32, weights are widened at load.
 */
class IrV10InferencePrecisionTest {
    @TempDir
    Path dir;

    private static final String XML = """
            <?xml version="1.0" ?>
            <net name="fp16_v10" version="10">
              <layers>
                <layer id="0" name="x" type="Parameter" version="opset1">
                  <data element_type="f16" shape="1,2,1,2"/>
                  <output><port id="0" precision="FP16"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port></output>
                </layer>
                <layer id="1" name="w" type="Const" version="opset1">
                  <data element_type="f16" shape="2,2,1,1" offset="0" size="8"/>
                  <output><port id="1" precision="FP16"><dim>2</dim><dim>2</dim><dim>1</dim><dim>1</dim></port></output>
                </layer>
                <layer id="2" name="conv" type="Convolution" version="opset1">
                  <data strides="1,1" dilations="1,1" pads_begin="0,0" pads_end="0,0" auto_pad="explicit"/>
                  <input>
                    <port id="0"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port>
                    <port id="1"><dim>2</dim><dim>2</dim><dim>1</dim><dim>1</dim></port>
                  </input>
                  <output><port id="2" precision="FP16"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port></output>
                </layer>
                <layer id="3" name="slope" type="Const" version="opset1">
                  <data element_type="f16" shape="2" offset="8" size="4"/>
                  <output><port id="1" precision="FP16"><dim>2</dim></port></output>
                </layer>
                <layer id="4" name="prelu" type="PReLU" version="opset1">
                  <input>
                    <port id="0"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port>
                    <port id="1"><dim>2</dim></port>
                  </input>
                  <output><port id="2" precision="FP16"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port></output>
                </layer>
                <layer id="5" name="shift" type="Const" version="opset1">
                  <data element_type="f32" shape="1,2,1,1" offset="12" size="8"/>
                  <output><port id="1" precision="FP32"><dim>1</dim><dim>2</dim><dim>1</dim><dim>1</dim></port></output>
                </layer>
                <layer id="6" name="add" type="Add" version="opset1">
                  <data auto_broadcast="numpy"/>
                  <input>
                    <port id="0"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port>
                    <port id="1"><dim>1</dim><dim>2</dim><dim>1</dim><dim>1</dim></port>
                  </input>
                  <output><port id="2" precision="FP32"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port></output>
                </layer>
                <layer id="7" name="y" type="Result" version="opset1">
                  <input><port id="0"><dim>1</dim><dim>2</dim><dim>1</dim><dim>2</dim></port></input>
                </layer>
              </layers>
              <edges>
                <edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
                <edge from-layer="1" from-port="1" to-layer="2" to-port="1"/>
                <edge from-layer="2" from-port="2" to-layer="4" to-port="0"/>
                <edge from-layer="3" from-port="1" to-layer="4" to-port="1"/>
                <edge from-layer="4" from-port="2" to-layer="6" to-port="0"/>
                <edge from-layer="5" from-port="1" to-layer="6" to-port="1"/>
                <edge from-layer="6" from-port="2" to-layer="7" to-port="0"/>
              </edges>
            </net>
            """;

    @Test
    void runsAMixedPrecisionFp16IrInF32WithPReluLayers() throws Exception {
        ByteBuffer bin = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        for (float w : new float[] {1, 2, -1, 0.5f}) { // out0 = x0 + 2 x1, out1 = -x0 + 0.5 x1
            bin.putShort(Float.floatToFloat16(w));
        }
        bin.putShort(Float.floatToFloat16(0.25f)).putShort(Float.floatToFloat16(0.5f)); // slopes
        bin.putFloat(100).putFloat(-100);
        Path xml = Files.writeString(dir.resolve("m.xml"), XML);
        Files.write(dir.resolve("m.bin"), bin.array());
        try (Core core = new Core()) {
            Model model = core.readModel(xml);
            assertEquals(ElementType.F32, model.graph().parameters().get(0).output(0).type());
            InferRequest request = core.compileModel(model, "CPU").createInferRequest();
            // x: channel 0 = [1, -4], channel 1 = [2, 1]
            request.setInput(0, Tensor.of(new float[] {1, -4, 2, 1}, 1, 2, 1, 2));
            request.infer();
            // conv: c0 = [1 + 4, -4 + 2] = [5, -2]; c1 = [-1 + 1, 4 + 0.5] = [0, 4.5]
            // prelu: c0 = [5, -0.5]; c1 = [0, 4.5]; add: c0 + 100, c1 - 100
            assertArrayEquals(new float[] {105, 99.5f, -100, -95.5f}, request.getOutput(0).toFloatArray(), 1e-4f);
        }
    }
}
