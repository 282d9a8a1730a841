package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.CpuDevice;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FakeQuantize → MatMul (INT8 weights × per-column scales, transposed as ONNX Gemm has them or not) → bias → ReLU,
 * as quantized IRs have it: with an integer zero point and per-tensor range it runs in INT8 with the FakeQuantize
 * fused (byte codes for few rows, packed GEMM for more); with a fractional zero point, per-channel activation ranges
 * or float weights it runs in f32 as before. Either way it computes what the reference ops compute, within one
 * output step (an activation within ulps of a level boundary may take the neighbouring code).
 */
class QuantizedMatMulTest {
    @ParameterizedTest(name = "{0}x{1}x{2} transB {3} range [{4}, {5}] per channel {6} int8 weights {7}: {8}")
    @CsvSource({
            "1, 2048, 1000, true, 0, 6, false, true, gemv_vector",
            "1, 300, 37, false, -1.5, 1.48828125, false, true, gemv_vector",
            "3, 129, 10, true, 0, 2, false, true, gemv_vector",
            "5, 77, 23, true, 0, 2, false, true, gemm_vector",
            "9, 1030, 19, false, -1.5, 1.48828125, false, true, gemm_vector",
            "1, 64, 10, true, -0.3, 1.7, false, true, FP32",
            "1, 64, 10, true, 0, 2, true, true, FP32",
            "2, 64, 10, true, 0, 2, false, false, FP32",
    })
    void runsInInt8WhenTheZeroPointIsAnInteger(int m, int k, int n, boolean transposeB, float low, float high,
                                               boolean perChannel, boolean int8Weights, String expected) {
        Random r = new Random(m * 1000L + k + n);
        Graph g = new Graph("fc");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(m, k)).output(0);
        int channels = perChannel ? k : 1;
        Value[] ranges = new Value[4];
        for (int i = 0; i < 4; i++) {
            float[] v = new float[channels];
            for (int c = 0; c < channels; c++) {
                v[c] = i % 2 == 0 ? low : high * (1 + 0.25f * c / channels);
            }
            ranges[i] = g.addConstant("r" + i, Tensor.of(v, 1, channels)).output(0);
        }
        Value fq = g.value(new FakeQuantize(256), "fq", x, ranges[0], ranges[1], ranges[2], ranges[3]);
        int[] wShape = transposeB ? new int[] {n, k} : new int[] {k, n};
        float[] scales = new float[n];
        for (int j = 0; j < n; j++) {
            scales[j] = 0.001f + r.nextFloat() * 0.01f;
        }
        Value w;
        if (int8Weights) {
            Tensor codes = Tensor.allocate(ElementType.I8, wShape);
            for (int i = 0; i < codes.size(); i++) {
                codes.bytes()[i] = (byte) (r.nextInt(256) - 128);
            }
            w = g.value(new Multiply(), "w",
                    g.value(new Convert(ElementType.F32), "w_f32", g.addConstant("w_i8", codes).output(0)),
                    g.addConstant("w_scale", Tensor.of(scales, transposeB ? new int[] {n, 1} : new int[] {1, n}))
                            .output(0));
        } else {
            float[] v = new float[n * k];
            for (int i = 0; i < v.length; i++) {
                v[i] = (r.nextFloat() - 0.5f) * 0.5f;
            }
            w = g.addConstant("w", Tensor.of(v, wShape)).output(0);
        }
        float[] bias = new float[n];
        for (int j = 0; j < n; j++) {
            bias[j] = r.nextFloat() - 0.5f;
        }
        Value mm = g.value(new MatMul(false, transposeB), "mm", fq, w);
        Value biased = g.value(new Add(), "bias", mm, g.addConstant("b", Tensor.of(bias, n)).output(0));
        g.addResult("y", g.value(new Relu(), "relu", biased));

        Tensor input = Tensor.allocate(ElementType.F32, m, k);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = (r.nextFloat() * 2.4f - 1.2f) * Math.abs(high - low);
        }
        float[] got;
        List<ProfilingInfo> profile;
        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", "2"))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, input);
            request.run();
            request.run();
            got = request.output(0).toFloatArray();
            profile = request.profilingInfo();
        }
        String type = profile.stream().filter(i -> i.nodeName().equals("mm")).findFirst().orElseThrow().execType();
        boolean int8 = !expected.equals("FP32");
        assertTrue(type.startsWith(int8 ? expected : "gemv_vector") && type.contains("_" + (int8 ? "I8" : "FP32")),
                type);
        assertEquals(int8, type.endsWith("_I8+scale+bias+relu"), type);
        assertEquals(int8, profile.stream().anyMatch(i -> i.nodeName().equals("fq")
                && i.status() == ProfilingInfo.Status.OPTIMIZED_OUT), "the FakeQuantize is fused: " + profile);

        g.reshape(g.parameter("x"), PartialShape.of(-1, k));
        try (var reference = new CpuDevice().compile(g, Map.of())) {
            ExecutionRequest request = reference.newRequest();
            request.setInput(0, input);
            request.run();
            float[] want = request.output(0).toFloatArray();
            assertEquals(want.length, got.length);
            // One activation step through the largest weight (128 · scale) is what a flipped code can move a sum.
            float oneStep = (high - low) / 255 * 128 * 0.011f;
            int off = 0;
            for (int i = 0; i < want.length; i++) {
                float d = Math.abs(got[i] - want[i]);
                assertTrue(d <= oneStep + 1e-5f * (1 + Math.abs(want[i])), "[" + i + "] " + got[i] + " vs " + want[i]);
                off += d > 1e-4f * (1 + Math.abs(want[i])) ? 1 : 0;
            }
            assertTrue(off <= Math.max(1, want.length / 20), off + " values differ by more than rounding");
        }
    }
}
