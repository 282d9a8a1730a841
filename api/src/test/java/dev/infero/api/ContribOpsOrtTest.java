package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import dev.infero.testing.RandomData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's {@code com.microsoft} contrib operators give what ONNX Runtime itself computes (device ORT). Quantized
 * operators sit between a QuantizeLinear and a DequantizeLinear so the model's inputs and outputs are float; their
 * results may differ by one quantization step where rounding meets a level boundary.
 */
class ContribOpsOrtTest {
    @TempDir
    Path dir;

    private static final String MS = "com.microsoft";
    private final Random random = new Random(7);

    private static Tensor codes(ElementType type, int[] shape, long... values) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < values.length; i++) {
            t.setLong(i, values[i]);
        }
        return t;
    }

    private Tensor randomTensor(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = RandomData.uniform(random, n);
        for (int i = 0; i < n; i++) {
            v[i] = v[i] * 4 - 2;
        }
        return Tensor.of(v, shape);
    }

    /**
     * Runs the model that {@code body} builds (input x, output y; nodes whose names start with "ms_" are put in the
     * com.microsoft domain) on Infero and ONNX Runtime and compares within {@code tolerance}.
     */
    private Tensor check(String name, Tensor x, double tolerance, Consumer<OnnxModelBuilder> body) throws Exception {
        int[] shape = x.shape();
        long[] dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape[i];
        }
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", ElementType.F32, dims).output("y", ElementType.F32);
        body.accept(b);
        ModelProto.Builder m = b.build().toBuilder();
        for (NodeProto.Builder node : m.getGraphBuilder().getNodeBuilderList()) {
            if (node.getName().startsWith("ms_")) {
                node.setDomain(MS);
            }
        }
        m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MS).setVersion(1));
        Path file = dir.resolve(name + ".onnx");
        Files.write(file, m.build().toByteArray());
        try (Core core = new Core()) {
            Tensor ours = SingleRun.closing(core.compileModel(file, "CPU"), x);
            Tensor theirs = SingleRun.closing(core.compileModel(file, "ORT"), x);
            assertArrayEquals(theirs.shape(), ours.shape(), name + " shape");
            double worst = 0;
            for (int i = 0; i < ours.size(); i++) {
                worst = Math.max(worst, Math.abs(ours.getDouble(i) - theirs.getDouble(i)));
            }
            double w = worst;
            assertTrue(worst <= tolerance, () -> name + " differs from ONNX Runtime by " + w);
            return ours;
        }
    }


    @Test
    void geluFamily() throws Exception {
        Tensor bias = randomTensor(6);
        check("gelu", randomTensor(2, 6), 1e-5, b -> b.node("Gelu", "ms_gelu").inputs("x").outputs("y"));
        check("bias_gelu", randomTensor(2, 6), 1e-5, b -> {
            b.initializer("bias", bias);
            b.node("BiasGelu", "ms_bg").inputs("x", "bias").outputs("y");
        });
        check("fast_gelu", randomTensor(2, 6), 1e-5, b -> {
            b.initializer("bias", bias);
            b.node("FastGelu", "ms_fg").inputs("x", "bias").outputs("y");
        });
        check("quick_gelu", randomTensor(2, 6), 1e-5, b -> b.node("QuickGelu", "ms_qg").inputs("x").outputs("y")
                .attr("alpha", 1.5f));
    }

    @Test
    void fusedConvAndMatMulAndSkipLayerNorm() throws Exception {
        Tensor w = randomTensor(3, 2, 3, 3);
        Tensor bias = randomTensor(3);
        check("fused_conv_leaky", randomTensor(1, 2, 5, 5), 1e-4, b -> {
            b.initializer("w", w).initializer("b", bias);
            b.node("FusedConv", "ms_fc").inputs("x", "w", "b").outputs("y").attr("kernel_shape", 3L, 3L)
                    .attr("pads", 1L, 1L, 1L, 1L).attr("activation", "LeakyRelu").attrFloats("activation_params", 0.2f);
        });
        // FusedConv's sum input Z is left out: ONNX Runtime's own NCHWc rewrite rejects it ("output and sum shape
        // must match") on CPU builds like the one in test scope.
        check("fused_conv_relu", randomTensor(1, 2, 5, 5), 1e-4, b -> {
            b.initializer("w", w).initializer("b", bias);
            b.node("FusedConv", "ms_fc").inputs("x", "w", "b").outputs("y").attr("kernel_shape", 3L, 3L)
                    .attr("activation", "Relu");
        });
        Tensor bt = randomTensor(2, 5, 4);
        check("fused_matmul", randomTensor(2, 3, 4), 1e-4, b -> {
            b.initializer("bt", bt);
            b.node("FusedMatMul", "ms_fm").inputs("x", "bt").outputs("y").attr("transB", 1L).attr("alpha", 0.5f);
        });
        Tensor skip = randomTensor(2, 3, 8);
        Tensor gamma = randomTensor(8);
        Tensor beta = randomTensor(8);
        Tensor lnBias = randomTensor(8);
        check("skip_layer_norm", randomTensor(2, 3, 8), 1e-4, b -> {
            b.initializer("skip", skip).initializer("gamma", gamma).initializer("beta", beta).initializer("bias", lnBias);
            b.node("SkipLayerNormalization", "ms_sln").inputs("x", "skip", "gamma", "beta", "bias").outputs("y")
                    .attr("epsilon", 1e-5f);
        });
    }

    /** x → QuantizeLinear (u8, scale s, zero point 128) → op → DequantizeLinear (output scale) → y. */
    private static OnnxModelBuilder.NodeBuilder quantized(OnnxModelBuilder b, float outScale, long outZero, String op,
                                                          String... extra) {
        b.initializer("s", Tensor.scalar(0.02f)).initializer("zp", codes(ElementType.U8, new int[0], 128))
                .initializer("ys", Tensor.scalar(outScale))
                .initializer("yzp", codes(ElementType.U8, new int[0], outZero));
        b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("xq");
        String[] inputs = new String[3 + extra.length];
        inputs[0] = "xq";
        inputs[1] = "s";
        inputs[2] = "zp";
        System.arraycopy(extra, 0, inputs, 3, extra.length);
        OnnxModelBuilder.NodeBuilder node = b.node(op, "ms_op").inputs(inputs).outputs("yq");
        b.node("DequantizeLinear", "dq").inputs("yq", "ys", "yzp").outputs("y");
        return node;
    }

    @Test
    void qOperatorConcatAndGemm() throws Exception {
        Tensor w = codes(ElementType.I8, new int[] {4, 3}, 1, -3, 5, 7, -9, 11, 2, 4, -6, 8, 10, -12);
        check("qgemm_float_out", randomTensor(2, 4), 1e-4, b -> {
            b.initializer("s", Tensor.scalar(0.02f)).initializer("zp", codes(ElementType.U8, new int[0], 128))
                    .initializer("w", w).initializer("ws", Tensor.of(new float[] {0.1f, 0.2f, 0.05f}, 3))
                    .initializer("wzp", codes(ElementType.I8, new int[] {3}, 0, 0, 0))
                    .initializer("c", Tensor.of(new int[] {100, -50, 7}, 3));
            b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("xq");
            b.node("QGemm", "ms_qgemm").inputs("xq", "s", "zp", "w", "ws", "wzp", "c").outputs("y").attr("alpha", 0.5f);
        });
        check("qlinear_concat", randomTensor(1, 2, 3), 0.03 * 1.01, b -> {
            b.initializer("s", Tensor.scalar(0.02f)).initializer("zp", codes(ElementType.U8, new int[0], 128))
                    .initializer("s2", Tensor.scalar(0.01f)).initializer("zp2", codes(ElementType.U8, new int[0], 100))
                    .initializer("ys", Tensor.scalar(0.03f)).initializer("yzp", codes(ElementType.U8, new int[0], 128));
            b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("xq");
            b.node("QuantizeLinear", "q2").inputs("x", "s2", "zp2").outputs("xq2");
            b.node("QLinearConcat", "ms_cat").inputs("ys", "yzp", "xq", "s", "zp", "xq2", "s2", "zp2").outputs("yq")
                    .attr("axis", 1L);
            b.node("DequantizeLinear", "dq").inputs("yq", "ys", "yzp").outputs("y");
        });
    }

    @Test
    void qOperatorOps() throws Exception {
        float step = 0.03f;
        check("qlinear_add", randomTensor(1, 3, 4, 4), step * 1.01, b -> {
            quantized(b, step, 128, "QLinearAdd", "xq", "s", "zp", "ys", "yzp");
        });
        check("qlinear_mul", randomTensor(1, 3, 4, 4), step * 1.01, b -> {
            quantized(b, step, 128, "QLinearMul", "xq", "s", "zp", "ys", "yzp");
        });
        check("qlinear_sigmoid", randomTensor(1, 3, 4, 4), 0.004 * 1.01, b -> quantized(b, 0.004f, 0, "QLinearSigmoid",
                "ys", "yzp"));
        check("qlinear_leaky", randomTensor(1, 3, 4, 4), step * 1.01, b -> {
            quantized(b, step, 128, "QLinearLeakyRelu", "ys", "yzp").attr("alpha", 0.1f);
        });
        check("qlinear_gap", randomTensor(1, 3, 4, 4), 0.01 * 1.01, b -> quantized(b, 0.01f, 128,
                "QLinearGlobalAveragePool", "ys", "yzp"));
        check("qlinear_avgpool", randomTensor(1, 3, 4, 4), 0.01 * 1.01, b -> {
            quantized(b, 0.01f, 128, "QLinearAveragePool", "ys", "yzp").attr("kernel_shape", 2L, 2L)
                    .attr("strides", 2L, 2L);
        });
    }

    /** Random int8 weight codes in [-limit, limit]. */
    private Tensor weights(int limit, int... shape) {
        Tensor t = Tensor.allocate(ElementType.I8, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setLong(i, random.nextInt(2 * limit + 1) - limit);
        }
        return t;
    }

    /**
     * A whole network in the QOperator format ONNX Runtime's static quantizer writes (u8 activations, s8 weights
     * with per-channel scales, int32 biases): QuantizeLinear, a 3×3 and a 1×1 QLinearConv, a residual QLinearAdd,
     * QLinearGlobalAveragePool, a Reshape of the codes, QLinearMatMul and DequantizeLinear. Requantizing at every
     * layer may round one step apart where a value meets a level boundary, so two output steps are allowed.
     */
    @Test
    void anOrtQuantizedQOperatorNetworkMatchesOnnxRuntime() throws Exception {
        float outStep = 0.05f;
        Tensor y = check("qoperator_network", randomTensor(1, 3, 8, 8), 2 * outStep * 1.01, b -> {
            b.initializer("xs", Tensor.scalar(0.016f)).initializer("xzp", codes(ElementType.U8, new int[0], 128))
                    .initializer("w1", weights(20, 4, 3, 3, 3))
                    .initializer("w1s", Tensor.of(new float[] {0.01f, 0.012f, 0.008f, 0.011f}, 4))
                    .initializer("w1zp", codes(ElementType.I8, new int[] {4}, 0, 0, 0, 0))
                    .initializer("b1", Tensor.of(new int[] {500, -300, 0, 1200}, 4))
                    .initializer("s1", Tensor.scalar(0.05f)).initializer("zp1", codes(ElementType.U8, new int[0], 128))
                    .initializer("w2", weights(30, 4, 4, 1, 1))
                    .initializer("w2s", Tensor.of(new float[] {0.02f, 0.015f, 0.02f, 0.025f}, 4))
                    .initializer("w2zp", codes(ElementType.I8, new int[] {4}, 0, 0, 0, 0))
                    .initializer("s2", Tensor.scalar(0.05f)).initializer("zp2", codes(ElementType.U8, new int[0], 128))
                    .initializer("s3", Tensor.scalar(0.08f)).initializer("zp3", codes(ElementType.U8, new int[0], 128))
                    .initializer("s4", Tensor.scalar(0.05f)).initializer("zp4", codes(ElementType.U8, new int[0], 128))
                    .initializer("flat", Tensor.vector(1, 4))
                    .initializer("w3", weights(40, 4, 3)).initializer("w3s", Tensor.scalar(0.02f))
                    .initializer("w3zp", codes(ElementType.I8, new int[0], 0))
                    .initializer("ys", Tensor.scalar(outStep)).initializer("yzp", codes(ElementType.U8, new int[0], 128));
            b.node("QuantizeLinear", "q").inputs("x", "xs", "xzp").outputs("xq");
            b.node("QLinearConv", "conv1").inputs("xq", "xs", "xzp", "w1", "w1s", "w1zp", "s1", "zp1", "b1")
                    .outputs("y1").attr("pads", 1L, 1L, 1L, 1L).attr("kernel_shape", 3L, 3L);
            b.node("QLinearConv", "conv2").inputs("y1", "s1", "zp1", "w2", "w2s", "w2zp", "s2", "zp2").outputs("y2")
                    .attr("kernel_shape", 1L, 1L);
            b.node("QLinearAdd", "ms_add").inputs("y1", "s1", "zp1", "y2", "s2", "zp2", "s3", "zp3").outputs("y3");
            b.node("QLinearGlobalAveragePool", "ms_gap").inputs("y3", "s3", "zp3", "s4", "zp4").outputs("y4")
                    .attr("channels_last", 0L);
            b.node("Reshape", "flatten").inputs("y4", "flat").outputs("y4f");
            b.node("QLinearMatMul", "fc").inputs("y4f", "s4", "zp4", "w3", "w3s", "w3zp", "ys", "yzp").outputs("yq");
            b.node("DequantizeLinear", "dq").inputs("yq", "ys", "yzp").outputs("y");
        });
        // the three logits are distinct and inside the output range (no layer saturated them)
        assertArrayEquals(new int[] {1, 3}, y.shape());
        for (int i = 0; i < 3; i++) {
            assertTrue(Math.abs(y.getDouble(i)) < 127 * outStep, "logit " + i + " = " + y.getDouble(i));
        }
        assertTrue(y.getDouble(0) != y.getDouble(1) && y.getDouble(1) != y.getDouble(2), y.describe());
    }
}
