package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QDQ ONNX models (QuantizeLinear → DequantizeLinear pairs on activations, DequantizeLinear of i8 weights per output
 * channel and of i32 biases, as ONNX Runtime's {@code quantize_static} writes them): Infero's results are ONNX
 * Runtime's, code for code on the output's quantized grid, and the convolutions and matrix products run on the INT8
 * kernels ({@code transforms/QuantizedActivations}). The reference is ONNX Runtime with its graph optimizations off,
 * which computes the graph as ONNX defines it; with them on, ONNX Runtime fuses the pairs into its QLinear kernels,
 * whose requantization (and QLinearAdd's, QLinearConcat's arithmetic) rounds differently: on the u8 chain below its
 * fused result differs from its own unfused one in 61 of 576 codes.
 */
class QdqOrtTest {
    @TempDir
    Path dir;

    private final Random random = new Random(23);

    /** Conv+Relu, Conv, Add residual, 1×1 Conv, Concat, 1×1 Conv; asymmetric u8 activations. */
    @Test
    void u8ActivationsConvChainWithResidualAndConcat() throws Exception {
        check(chain(ElementType.U8, new int[] {100, 0, 120, 90, 128, 110}), List.of("c1", "c2", "c3", "c4"));
    }

    /** The same chain with i8 activations (signed codes, zero points around 0). */
    @Test
    void i8ActivationsConvChainWithResidualAndConcat() throws Exception {
        check(chain(ElementType.I8, new int[] {-28, -128, -8, 5, 0, -18}), List.of("c1", "c2", "c3", "c4"));
    }

    /**
     * Per-channel activation pairs (axis 1, as {@code quantize --format onnx} writes them before depthwise layers)
     * into a depthwise Conv: exact on the vector QuantizeLinear kernel (the depthwise layer stays on its own kernel).
     */
    @Test
    void perChannelActivationsIntoDepthwise() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("qdq_dw", 13).input("x", ElementType.F32, 1, 8, 12, 12)
                .output("y", ElementType.F32);
        float[] scales = new float[8];
        Tensor zps = Tensor.allocate(ElementType.U8, 8);
        for (int c = 0; c < 8; c++) {
            scales[c] = 0.01f + random.nextFloat() * 0.02f;
            zps.setLong(c, 60 + random.nextInt(120));
        }
        b.initializer("a_s", Tensor.of(scales, 8)).initializer("a_zp", zps);
        b.node("QuantizeLinear", "a_q").inputs("x", "a_s", "a_zp").outputs("a_codes").attr("axis", 1L);
        b.node("DequantizeLinear", "a_dq").inputs("a_codes", "a_s", "a_zp").outputs("a").attr("axis", 1L);
        float[] ws = new float[8];
        for (int c = 0; c < 8; c++) {
            ws[c] = 0.002f + random.nextFloat() * 0.004f;
        }
        b.initializer("dw_w", codes(ElementType.I8, new int[] {8, 1, 3, 3})).initializer("dw_ws", Tensor.of(ws, 8))
                .initializer("dw_wzp", Tensor.allocate(ElementType.I8, 8));
        b.node("DequantizeLinear", "dw_wdq").inputs("dw_w", "dw_ws", "dw_wzp").outputs("dw_wf").attr("axis", 0L);
        b.node("Conv", "dw").inputs("a", "dw_wf").outputs("dw_y").attr("group", 8L).attr("pads", 1L, 1L, 1L, 1L);
        pair(b, "dw_y", "y", ElementType.U8, 0.002f, 128);
        check(write(b, "qdq_dw"), input(1, 8, 12, 12), List.of());
    }

    @Test
    void matMul() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("qdq_mm", 13).input("x", ElementType.F32, 4, 32)
                .output("y", ElementType.F32);
        pair(b, "x", "a", ElementType.U8, 0.02f, 100);
        b.initializer("w", codes(ElementType.I8, new int[] {32, 10})).initializer("ws", Tensor.scalar(0.01f))
                .initializer("wzp", code(ElementType.I8, 0));
        b.node("DequantizeLinear", "w_dq").inputs("w", "ws", "wzp").outputs("w_f");
        b.node("MatMul", "mm").inputs("a", "w_f").outputs("m");
        pair(b, "m", "y", ElementType.U8, 0.05f, 128);
        check(write(b, "qdq_mm"), input(4, 32), List.of("mm"));
    }

    private Path chain(ElementType act, int[] zp) {
        OnnxModelBuilder b = new OnnxModelBuilder("qdq_chain", 13).input("x", ElementType.F32, 1, 8, 12, 12)
                .output("y", ElementType.F32);
        pair(b, "x", "a", act, 0.02f, zp[0]);
        conv(b, "c1", "a", 0.02f, 16, 8, 3, "c1_y");
        b.node("Relu", "r1").inputs("c1_y").outputs("r1_y");
        pair(b, "r1_y", "b", act, 0.03f, zp[1]);
        conv(b, "c2", "b", 0.03f, 16, 16, 3, "c2_y");
        pair(b, "c2_y", "c", act, 0.05f, zp[2]);
        b.node("Add", "add").inputs("b", "c").outputs("add_y");
        pair(b, "add_y", "d", act, 0.06f, zp[3]);
        conv(b, "c3", "d", 0.06f, 8, 16, 1, "c3_y");
        pair(b, "c3_y", "e", act, 0.04f, zp[4]);
        b.node("Concat", "cat").inputs("e", "a").outputs("cat_y").attr("axis", 1L);
        pair(b, "cat_y", "f", act, 0.04f, zp[4]);
        conv(b, "c4", "f", 0.04f, 4, 16, 1, "c4_y");
        pair(b, "c4_y", "y", act, 0.07f, zp[5]);
        return write(b, "qdq_chain_" + act);
    }

    /** QuantizeLinear → DequantizeLinear of {@code x} with one scale and zero point. */
    private void pair(OnnxModelBuilder b, String x, String y, ElementType type, float scale, int zeroPoint) {
        b.initializer(y + "_s", Tensor.scalar(scale)).initializer(y + "_zp", code(type, zeroPoint));
        b.node("QuantizeLinear", y + "_q").inputs(x, y + "_s", y + "_zp").outputs(y + "_codes");
        b.node("DequantizeLinear", y + "_dq").inputs(y + "_codes", y + "_s", y + "_zp").outputs(y);
    }

    /** A Conv with i8 weights dequantized per output channel (axis 0) and an i32 bias of scale x_scale · w_scale. */
    private void conv(OnnxModelBuilder b, String name, String x, float xScale, int cout, int cin, int k, String y) {
        float[] ws = new float[cout];
        float[] bs = new float[cout];
        int[] bias = new int[cout];
        for (int c = 0; c < cout; c++) {
            ws[c] = 0.002f + random.nextFloat() * 0.004f;
            bs[c] = xScale * ws[c];
            bias[c] = random.nextInt(2001) - 1000;
        }
        b.initializer(name + "_w", codes(ElementType.I8, new int[] {cout, cin, k, k}))
                .initializer(name + "_ws", Tensor.of(ws, cout))
                .initializer(name + "_wzp", Tensor.allocate(ElementType.I8, cout))
                .initializer(name + "_b", Tensor.of(bias, cout)).initializer(name + "_bs", Tensor.of(bs, cout));
        b.node("DequantizeLinear", name + "_wdq").inputs(name + "_w", name + "_ws", name + "_wzp")
                .outputs(name + "_wf").attr("axis", 0L);
        b.node("DequantizeLinear", name + "_bdq").inputs(name + "_b", name + "_bs").outputs(name + "_bf")
                .attr("axis", 0L);
        b.node("Conv", name).inputs(x, name + "_wf", name + "_bf").outputs(y)
                .attr("pads", (long) (k / 2), k / 2, k / 2, k / 2);
    }

    private Path write(OnnxModelBuilder b, String name) {
        Path file = dir.resolve(name + ".onnx");
        b.write(file);
        return file;
    }

    private void check(Path file, List<String> int8Layers) throws OrtException {
        check(file, input(1, 8, 12, 12), int8Layers);
    }

    private void check(Path file, Tensor x, List<String> int8Layers) throws OrtException {
        float[] expected = ortWithoutFusion(file, x);
        try (Core core = new Core(); CompiledModel ours = core.compileModel(file, "CPU")) {
            InferRequest a = ours.createInferRequest();
            a.setProfiling(true);
            a.setInput(0, x);
            a.infer();
            float[] actual = a.getOutput(0).toFloatArray();
            assertArrayEquals(expected, actual, 0f, "Infero and ONNX Runtime (the QDQ graph as written)");
            for (String layer : int8Layers) {
                String exec = a.getProfilingInfo().stream().filter(p -> p.nodeName().equals(layer))
                        .map(ProfilingInfo::execType).findFirst().orElse(a.getProfilingInfo().toString());
                assertTrue(exec.contains("_I8"), layer + ": " + exec);
            }
        }
    }

    /** ONNX Runtime's output with its graph optimizations off: the QDQ graph computed as ONNX defines it. */
    private static float[] ortWithoutFusion(Path file, Tensor x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
                         Arrays.stream(x.shape()).asLongStream().toArray());
                 OrtSession.Result out = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
                FloatBuffer values = ((OnnxTensor) out.get(0)).getFloatBuffer();
                float[] result = new float[values.remaining()];
                values.get(result);
                return result;
            }
        }
    }

    private Tensor input(int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = random.nextFloat() * 4 - 2;
        }
        return t;
    }

    private Tensor codes(ElementType type, int[] shape) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setLong(i, random.nextInt(255) - 127);
        }
        return t;
    }

    private static Tensor code(ElementType type, long v) {
        Tensor t = Tensor.allocate(type);
        t.setLong(0, v);
        return t;
    }
}
