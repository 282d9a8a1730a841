package dev.infero.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.tflite.schema.ActivationFunctionType;
import dev.infero.tflite.schema.BuiltinOptions;
import dev.infero.tflite.schema.Conv2DOptions;
import dev.infero.tflite.schema.FullyConnectedOptions;
import dev.infero.tflite.schema.Padding;
import dev.infero.tflite.schema.TensorType;
import dev.infero.testing.ReferenceRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Quantized TFLite models: activations become FakeQuantize on TFLite's grid ({@code real = scale·(q − zero_point)},
 * codes rounded half away from zero and clamped to the type's range), 8-bit weights OpenVINO's
 * {@code i8 → Convert → Multiply(per-channel scale)}, int32 biases dequantized with their scale.
 */
class TfliteQuantizationTest {
    /** TFLite's quantization of a real value: round half away from zero, add the zero point, clamp. */
    static long quantize(double real, double scale, long zeroPoint, long min, long max) {
        long q = Math.round(Math.abs(real / scale)) * (real < 0 ? -1 : 1) + zeroPoint;
        return Math.max(min, Math.min(max, q));
    }

    @Test
    void dequantizeIsScaleTimesCodeMinusZeroPointPerAxis() {
        Tensor codes = Tensor.allocate(ElementType.I8, 2, 3);
        byte[] b = codes.bytes();
        byte[] v = {-128, 0, 127, 5, -5, 10};
        System.arraycopy(v, 0, b, 0, 6);
        Tensor real = TfliteImporter.dequantize(codes, new TfliteImporter.Quant(new float[] {0.5f, 2f},
                new long[] {-1, 3}, 0));
        assertArrayEquals(new float[] {-63.5f, 0.5f, 64f, 4f, -16f, 14f}, real.floats());
        Tensor perColumn = TfliteImporter.dequantize(codes, new TfliteImporter.Quant(new float[] {1f, 0.25f, 2f},
                new long[] {0}, 1));
        assertArrayEquals(new float[] {-128f, 0f, 254f, 5f, -1.25f, 20f}, perColumn.floats());
    }

    @Test
    void int8ConvolutionWithPerChannelWeights() {
        float inScale = 0.05f;
        long inZp = -3;
        float[] wScale = {0.01f, 0.02f, 0.04f};
        float outScale = 0.1f;
        long outZp = 5;
        byte[] w = {10, -20, 30, 40, -50, 60}; // [3, 1, 1, 2]
        int[] bias = {100, -200, 50};
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 2, 2, 2);
        int xq = m.quantized("x_q", TensorType.INT8, inScale, inZp, 1, 2, 2, 2);
        int wt = m.int8("w", w, wScale, new long[3], 0, 3, 1, 1, 2);
        float[] biasScale = {inScale * wScale[0], inScale * wScale[1], inScale * wScale[2]};
        int b = m.int32Quantized("b", bias, biasScale, 3);
        int yq = m.quantized("y_q", TensorType.INT8, outScale, outZp, 1, 2, 2, 3);
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 1, 2, 2, 3));
        m.op(TfliteOps.QUANTIZE, new int[] {x}, new int[] {xq});
        m.op(TfliteOps.CONV_2D, new int[] {xq, wt, b}, new int[] {yq}, BuiltinOptions.Conv2DOptions,
                fb -> Conv2DOptions.createConv2DOptions(fb, Padding.VALID, 1, 1, ActivationFunctionType.RELU, 1, 1,
                        (byte) 0));
        m.op(TfliteOps.DEQUANTIZE, new int[] {yq}, new int[] {y});
        Graph g = m.graph();

        Node conv = g.nodes().stream().filter(n -> n.type().equals("Convolution")).findFirst().orElseThrow();
        assertEquals("FakeQuantize", conv.input(0).node().type(), "quantized input");
        Node mul = conv.input(1).node();
        assertEquals("Multiply", mul.type());
        assertTrue(mul.rtInfo().containsKey("decompression"));
        Node convert = mul.input(0).node();
        assertEquals("Convert", convert.type());
        Tensor codes = convert.input(0).knownValue();
        assertEquals(ElementType.I8, codes.type());
        assertArrayEquals(new int[] {3, 2, 1, 1}, codes.shape(), "[O, I, H, W]");
        assertArrayEquals(w, codes.bytes());
        assertArrayEquals(wScale, mul.input(1).knownValue().floats());
        assertArrayEquals(new int[] {3, 1, 1, 1}, mul.input(1).knownValue().shape());
        assertEquals(2, g.nodes().stream().filter(n -> n.type().equals("FakeQuantize")).count());

        float[] xv = {0.26f, -0.26f, 1.0f, 100f, -0.33f, 0.41f, 2.02f, -7.7f};
        float[] expected = new float[12];
        for (int p = 0; p < 4; p++) {
            double[] xr = new double[2];
            for (int i = 0; i < 2; i++) {
                xr[i] = inScale * (quantize(xv[p * 2 + i], inScale, inZp, -128, 127) - inZp);
            }
            for (int o = 0; o < 3; o++) {
                double acc = biasScale[o] * (double) bias[o];
                for (int i = 0; i < 2; i++) {
                    acc += xr[i] * wScale[o] * w[o * 2 + i];
                }
                acc = Math.max(0, acc);
                expected[p * 3 + o] = (float) (outScale * (quantize(acc, outScale, outZp, -128, 127) - outZp));
            }
        }
        float[] actual = ReferenceRunner.run(g, Tensor.of(xv, 1, 2, 2, 2)).get(0).floats();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f, "element " + i);
        }
        assertEquals(0.05f * 130, 0.05f * (quantize(100f, inScale, inZp, -128, 127) - inZp), 1e-6f, "100 clamps to 127");
    }

    @Test
    void uint8ModelReadsAndWritesCodes() {
        // input u8 (scale 0.5, zp 128) → FULLY_CONNECTED u8 weights (scale 0.1, zp 128) → output u8 (0.25, 100)
        byte[] w = {(byte) 138, (byte) 118, (byte) 128, (byte) 148, (byte) 108, (byte) 130, (byte) 126, (byte) 128};
        TfliteTestModel n = new TfliteTestModel();
        int nx = n.quantized("x", TensorType.UINT8, 0.5f, 128, 1, 4);
        n.markInput(nx);
        int nw = n.constant("w", TensorType.UINT8, w, new float[] {0.1f}, new long[] {128}, 0, 2, 4);
        int nb = n.int32Quantized("b", new int[] {20, -40}, new float[] {0.05f}, 2);
        int ny = n.output(n.quantized("y", TensorType.UINT8, 0.25f, 100, 1, 2));
        n.op(TfliteOps.FULLY_CONNECTED, new int[] {nx, nw, nb}, new int[] {ny}, BuiltinOptions.FullyConnectedOptions,
                fb -> FullyConnectedOptions.createFullyConnectedOptions(fb, (byte) 0, (byte) 0, false, false, (byte) 0));
        Graph g = n.graph();
        assertEquals(ElementType.U8, g.parameters().get(0).output(0).type(), "the input keeps its codes");
        assertEquals(ElementType.U8, g.results().get(0).output(0).type(), "the output is codes");
        Node matmul = g.nodes().stream().filter(k -> k.type().equals("MatMul")).findFirst().orElseThrow();
        Tensor codes = matmul.input(1).node().input(0).node().input(0).knownValue();
        assertEquals(ElementType.I8, codes.type(), "u8 weights with zero point 128 become i8 codes q − 128");
        assertArrayEquals(new byte[] {10, -10, 0, 20, -20, 2, -2, 0}, codes.bytes());

        Tensor in = Tensor.allocate(ElementType.U8, 1, 4);
        byte[] inCodes = {(byte) 130, (byte) 120, (byte) 200, (byte) 128};
        System.arraycopy(inCodes, 0, in.bytes(), 0, 4);
        List<Tensor> out = ReferenceRunner.run(g, in);
        long[] expected = new long[2];
        for (int o = 0; o < 2; o++) {
            double acc = 0.05 * (o == 0 ? 20 : -40);
            for (int i = 0; i < 4; i++) {
                acc += 0.5 * (Byte.toUnsignedInt(inCodes[i]) - 128) * 0.1 * (Byte.toUnsignedInt(w[o * 4 + i]) - 128);
            }
            expected[o] = quantize(acc, 0.25, 100, 0, 255);
        }
        byte[] actual = out.get(0).bytes();
        assertEquals(expected[0], Byte.toUnsignedInt(actual[0]));
        assertEquals(expected[1], Byte.toUnsignedInt(actual[1]));
    }

    @Test
    void int8DepthwiseWeightsKeepOneScalePerOutputChannel() {
        // [1, 2, 2, C·M] with C = 2, M = 2, scales along axis 3: output channel c·M + m.
        byte[] w = new byte[2 * 2 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (i * 7 % 23 - 11);
        }
        float[] scales = {0.1f, 0.2f, 0.3f, 0.4f};
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 3, 3, 2);
        int wt = m.int8("w", w, scales, new long[4], 3, 1, 2, 2, 4);
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 1, 2, 2, 4));
        m.op(TfliteOps.DEPTHWISE_CONV_2D, new int[] {x, wt, -1}, new int[] {y}, BuiltinOptions.DepthwiseConv2DOptions,
                fb -> dev.infero.tflite.schema.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(fb, Padding.VALID, 1,
                        1, 2, (byte) 0, 1, 1));
        Graph g = m.graph();
        Node conv = g.nodes().stream().filter(n -> n.type().equals("GroupConvolution")).findFirst().orElseThrow();
        Node mul = conv.input(1).node();
        assertEquals("Multiply", mul.type());
        assertArrayEquals(new int[] {2, 2, 1, 1, 1}, mul.input(1).knownValue().shape());
        float[] real = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            real[i] = scales[i % 4] * w[i];
        }
        float[] xv = TfliteOpsTest.random(18);
        TfliteOpsTest.assertClose(TfliteOpsTest.depthwise(xv, 3, 3, 2, 2, real, 2, 2, new float[4], 1, false),
                ReferenceRunner.run(g, Tensor.of(xv, 1, 3, 3, 2)).get(0).floats(), 1e-5f);
    }

    @Test
    void uint8WeightsThatDoNotFitInt8AreDequantized() {
        byte[] w = {(byte) 250, 0, 3, 4};
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 2);
        int wt = m.constant("w", TensorType.UINT8, w, new float[] {0.5f}, new long[] {0}, 0, 2, 2);
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 1, 2));
        m.op(TfliteOps.FULLY_CONNECTED, new int[] {x, wt, -1}, new int[] {y});
        Graph g = m.graph();
        Node matmul = g.nodes().stream().filter(k -> k.type().equals("MatMul")).findFirst().orElseThrow();
        assertEquals("Const", matmul.input(1).node().type());
        assertArrayEquals(new float[] {125 * 1 + 0, 1.5f * 1 + 2 * 2},
                ReferenceRunner.run(g, Tensor.of(new float[] {1, 2}, 1, 2)).get(0).floats());
    }
}
