package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QOperator ONNX models (QLinearConv, QLinearMatMul between QuantizeLinear and DequantizeLinear), as ONNX Runtime's
 * quantization tool writes them: Infero's results are ONNX Runtime's, code for code, and the convolutions and the
 * matrix product run on the INT8 kernels.
 */
class QOperatorOrtTest {
    @TempDir
    Path dir;

    private final Random random = new Random(17);

    @Test
    void qLinearConvChain() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("qconv", 13).input("x", ElementType.F32, 1, 8, 10, 10)
                .output("y", ElementType.F32);
        b.initializer("s", Tensor.scalar(0.02f)).initializer("zp", scalarCode(ElementType.U8, 128));
        b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("xq");
        conv(b, "c1", "xq", "s", "zp", 16, 8, 3, 0.05f, 120, "y1");
        conv(b, "c2", "y1q", "y1s", "y1zp", 12, 16, 1, 0.08f, 128, "y2");
        b.node("DequantizeLinear", "dq").inputs("y2q", "y2s", "y2zp").outputs("y");
        Path file = dir.resolve("qconv.onnx");
        b.write(file);
        check(file, input(1, 8, 10, 10), List.of("c1", "c2"));
    }

    @Test
    void qLinearMatMul() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("qmm", 13).input("x", ElementType.F32, 4, 32)
                .output("y", ElementType.F32);
        b.initializer("s", Tensor.scalar(0.02f)).initializer("zp", scalarCode(ElementType.U8, 128))
                .initializer("w", codes(ElementType.I8, new int[] {32, 10}, -127, 127))
                .initializer("ws", Tensor.scalar(0.01f)).initializer("wzp", scalarCode(ElementType.I8, 0))
                .initializer("ys", Tensor.scalar(0.05f)).initializer("yzp", scalarCode(ElementType.U8, 100));
        b.node("QuantizeLinear", "q").inputs("x", "s", "zp").outputs("xq");
        b.node("QLinearMatMul", "mm").inputs("xq", "s", "zp", "w", "ws", "wzp", "ys", "yzp").outputs("yq");
        b.node("DequantizeLinear", "dq").inputs("yq", "ys", "yzp").outputs("y");
        Path file = dir.resolve("qmm.onnx");
        b.write(file);
        check(file, input(4, 32), List.of("mm"));
    }

    /** A QLinearConv with per-channel i8 weights and an i32 bias, its output quantized to u8 (scale, zero point). */
    private void conv(OnnxModelBuilder b, String name, String x, String xs, String xzp, int cout, int cin, int k,
                      float outScale, int outZeroPoint, String y) {
        float[] ws = new float[cout];
        for (int c = 0; c < cout; c++) {
            ws[c] = 0.002f + random.nextFloat() * 0.004f;
        }
        int[] bias = new int[cout];
        for (int c = 0; c < cout; c++) {
            bias[c] = random.nextInt(2001) - 1000;
        }
        b.initializer(name + "_w", codes(ElementType.I8, new int[] {cout, cin, k, k}, -127, 127))
                .initializer(name + "_ws", Tensor.of(ws, cout))
                .initializer(name + "_wzp", Tensor.allocate(ElementType.I8, cout))
                .initializer(y + "s", Tensor.scalar(outScale)).initializer(y + "zp", scalarCode(ElementType.U8, outZeroPoint))
                .initializer(name + "_b", Tensor.of(bias, cout));
        b.node("QLinearConv", name).inputs(x, xs, xzp, name + "_w", name + "_ws", name + "_wzp", y + "s", y + "zp",
                name + "_b").outputs(y + "q").attr("pads", (long) (k / 2), k / 2, k / 2, k / 2);
    }

    private void check(Path file, Tensor x, List<String> int8Layers) {
        try (Core core = new Core(); CompiledModel ours = core.compileModel(file, "CPU");
             CompiledModel theirs = core.compileModel(file, "ORT")) {
            InferRequest a = ours.createInferRequest();
            InferRequest b = theirs.createInferRequest();
            a.setProfiling(true);
            a.setInput(0, x);
            b.setInput(0, x);
            a.infer();
            b.infer();
            assertArrayEquals(b.getOutput(0).toFloatArray(), a.getOutput(0).toFloatArray(), 0f,
                    "Infero and ONNX Runtime");
            for (String layer : int8Layers) {
                String exec = a.getProfilingInfo().stream().filter(p -> p.nodeName().startsWith(layer))
                        .map(ProfilingInfo::execType).filter(e -> e.contains("_I8")).findFirst()
                        .orElse(a.getProfilingInfo().toString());
                assertTrue(exec.contains("_I8"), layer + ": " + exec);
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

    private Tensor codes(ElementType type, int[] shape, int lo, int hi) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setLong(i, lo + random.nextInt(hi - lo + 1));
        }
        return t;
    }

    private static Tensor scalarCode(ElementType type, long v) {
        Tensor t = Tensor.allocate(type);
        t.setLong(0, v);
        return t;
    }
}
