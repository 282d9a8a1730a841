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
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.U8S8ConvTiles;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FakeQuantize → Convolution (INT8 weights × per-channel scales) → bias → ReLU, as quantized IRs have it: with an
 * integer zero point the step runs in INT8 with the FakeQuantize fused; with a fractional zero point or per-channel
 * activation ranges it runs in f32 as before. Either way it computes what the reference ops compute.
 */
class QuantizedConvolutionTest {
    @ParameterizedTest(name = "range [{0}, {1}] per channel {2}, kernel {3} stride {4}: {5}")
    @CsvSource({
            "0, 2, false, 3, 1, I8",
            "-1.5, 1.48828125, false, 3, 2, I8",
            "-1.5, 1.48828125, false, 1, 1, I8",
            "0, 2, false, 1, 2, I8",
            "-0.3, 1.7, false, 3, 1, FP32",
            "0, 2, true, 3, 1, FP32",
    })
    void runsInInt8WhenTheZeroPointIsAnInteger(float low, float high, boolean perChannel, int k, int stride,
                                               String expected) {
        int c = 5;
        int cout = 11;
        int[] shape = {2, c, 13, 10};
        Random r = new Random(k * 10L + stride);
        Graph g = new Graph("q");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        int[] rangeShape = perChannel ? new int[] {1, c, 1, 1} : new int[] {1, 1, 1, 1};
        float[] lo = new float[rangeShape[1]];
        float[] hi = new float[rangeShape[1]];
        java.util.Arrays.fill(lo, low);
        java.util.Arrays.fill(hi, high);
        if (perChannel) {
            hi[hi.length - 1] = high * 1.25f;
        }
        Value[] ranges = new Value[4];
        for (int i = 0; i < 4; i++) {
            ranges[i] = g.addConstant("r" + i, Tensor.of((i % 2 == 0 ? lo : hi).clone(), rangeShape)).output(0);
        }
        Value fq = g.value(new FakeQuantize(256), "fq", x, ranges[0], ranges[1], ranges[2], ranges[3]);
        Tensor codes = Tensor.allocate(ElementType.I8, cout, c, k, k);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[cout];
        float[] bias = new float[cout];
        for (int o = 0; o < cout; o++) {
            scales[o] = 0.001f + r.nextFloat() * 0.01f;
            bias[o] = r.nextFloat() - 0.5f;
        }
        Value w = g.value(new Multiply(), "w",
                g.value(new Convert(ElementType.F32), "w_f32", g.addConstant("w_i8", codes).output(0)),
                g.addConstant("w_scale", Tensor.of(scales, cout, 1, 1, 1)).output(0));
        long p = k / 2;
        WindowGeometry window = new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1},
                new long[] {p, p}, new long[] {p, p}, AutoPad.EXPLICIT, false);
        Value conv = g.value(new Convolution(window), "conv", fq, w);
        Value biased = g.value(new Add(), "bias", conv, g.addConstant("b", Tensor.of(bias, 1, cout, 1, 1)).output(0));
        g.addResult("y", g.value(new Relu(), "relu", biased));

        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = (r.nextFloat() * 2.4f - 1.2f) * Math.abs(high - low);
        }
        FastRun fast = runFast(g, input);
        float[] got = fast.output();
        String convType = fast.info("conv").execType();
        assertTrue(convType.contains("_" + expected + "+"), convType);
        boolean int8 = expected.equals("I8");
        assertEquals(int8, convType.contains("_I8+scale+bias+relu"), convType);
        assertEquals(int8, fast.profile().stream().anyMatch(i -> i.nodeName().equals("fq")
                && i.status() == ProfilingInfo.Status.OPTIMIZED_OUT), "the FakeQuantize is fused: " + fast.profile());

        float[] want = runReference(g, input);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-5f * (1 + Math.abs(want[i])),
                    "[" + i + "] " + got[i] + " vs " + want[i]);
        }
    }

    @ParameterizedTest(name = "FakeQuantize also a model output: {0}, per-channel ranges {1}")
    @CsvSource({"false, false", "true, false", "false, true"})
    void depthwiseConvolutionQuantizesItsInputAsItReadsIt(boolean fqIsOutput, boolean perChannel) {
        int c = 7;
        int[] shape = {1, c, 11, 9};
        Random r = new Random(5);
        Graph g = new Graph("dw");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Value[] ranges = new Value[4];
        int n = perChannel ? c : 1;
        for (int i = 0; i < 4; i++) {
            float[] v = new float[n];
            for (int ch = 0; ch < n; ch++) {
                float s = 2f + ch * 0.37f;
                v[ch] = i % 2 == 0 ? -s : s * 127 / 128;
            }
            ranges[i] = g.addConstant("r" + i, Tensor.of(v, 1, n, 1, 1)).output(0);
        }
        Value fq = g.value(new FakeQuantize(256), "fq", x, ranges[0], ranges[1], ranges[2], ranges[3]);
        float[] w = new float[c * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() - 0.5f;
        }
        WindowGeometry window = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, AutoPad.EXPLICIT, false);
        Value conv = g.value(new dev.infero.core.ops.nn.GroupConvolution(window), "dw", fq,
                g.addConstant("w", Tensor.of(w, c, 1, 1, 3, 3)).output(0));
        g.addResult("y", g.value(new Relu(), "relu", conv));
        if (fqIsOutput) {
            g.addResult("fq_out", fq);
        }
        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 5 - 2.5f;
        }
        FastRun fast = runFast(g, input);
        float[] got = fast.output();
        ProfilingInfo fqInfo = fast.info("fq");
        assertEquals(fqIsOutput, fqInfo.status() == ProfilingInfo.Status.EXECUTED, "the FakeQuantize runs only "
                + "for the model output: " + fast.profile());
        String dwType = fast.info("dw").execType();
        assertTrue(dwType.contains("_FP32_on_I8_codes+relu"), dwType);
        float[] want = runReference(g, input);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-5f * (1 + Math.abs(want[i])),
                    "[" + i + "] " + got[i] + " vs " + want[i]);
        }
    }

    /** FakeQuantize → INT8 1×1 convolution → ReLU → FakeQuantize → depthwise: neither FakeQuantize runs, the
     * convolution writes the depthwise layer's codes in place of its output (requantization in its epilogue) and the
     * depthwise convolution reads them as they are. */
    @org.junit.jupiter.api.Test
    void noFakeQuantizeRunsBetweenInt8AndDepthwiseConvolutions() {
        int c = 6;
        int[] shape = {1, c, 9, 13};
        Random r = new Random(8);
        Graph g = new Graph("chain");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Value fq1 = fakeQuantize(g, "fq1", x, 0f, 3f);
        Tensor codes = Tensor.allocate(ElementType.I8, c, c, 1, 1);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[c];
        java.util.Arrays.fill(scales, 0.01f);
        Value w = g.value(new Multiply(), "w",
                g.value(new Convert(ElementType.F32), "w_f32", g.addConstant("w_i8", codes).output(0)),
                g.addConstant("w_scale", Tensor.of(scales, c, 1, 1, 1)).output(0));
        WindowGeometry one = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {0, 0}, AutoPad.EXPLICIT, false);
        Value act = g.value(new Relu(), "relu", g.value(new Convolution(one), "conv", fq1, w));
        Value fq2 = fakeQuantize(g, "fq2", act, 0f, 2f);
        float[] dw = new float[c * 9];
        for (int i = 0; i < dw.length; i++) {
            dw[i] = r.nextFloat() - 0.5f;
        }
        WindowGeometry three = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, AutoPad.EXPLICIT, false);
        g.addResult("y", g.value(new dev.infero.core.ops.nn.GroupConvolution(three), "dw", fq2,
                g.addConstant("dw_w", Tensor.of(dw, c, 1, 1, 3, 3)).output(0)));
        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 3.5f - 0.2f;
        }
        FastRun fast = runFast(g, input);
        float[] got = fast.output();
        String convType = fast.info("conv").execType();
        assertTrue(convType.endsWith("_I8+scale+relu+quantize"), convType);
        assertTrue(fast.profile().stream().filter(i -> i.nodeName().startsWith("fq"))
                .allMatch(i -> i.status() == ProfilingInfo.Status.OPTIMIZED_OUT), fast.profile().toString());
        float[] want = runReference(g, input);
        // A value within ulps of a level boundary may take the neighbouring level: one step of fq2 through one
        // depthwise weight (< 0.5) at most.
        assertFewFlippedLevels(got, want, 2f / 255 * 0.5f + 1e-5f);
    }

    /**
     * FakeQuantize → depthwise → FakeQuantize → INT8 1×1 convolution, the MobileNet block of quantized BlazeFace:
     * the depthwise step quantizes its input as it reads it and writes the 1×1 layer's codes instead of its output,
     * which the 1×1 layer multiplies in place, also when its sums are carried in int32 (K = 1,040 here). A bias of
     * the depthwise layer folds into its output quantizers.
     */
    @ParameterizedTest(name = "stride {0}, {1} channels, then {2}×{2}, bias {3}")
    @CsvSource({"1, 6, 1, false", "2, 7, 1, true", "1, 1040, 1, false", "1, 5, 3, true", "1, 9, 1, true",
            "1, 3, 1, true", "2, 18, 1, false", "1, 1, 1, false"})
    void depthwiseConvolutionWritesTheCodesOfTheInt8LayerAfterIt(int stride, int c, int k, boolean bias) {
        int[] shape = {2, c, 9, 11};
        Random r = new Random(c);
        Graph g = new Graph("block");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        float[] dw = new float[c * 9];
        for (int i = 0; i < dw.length; i++) {
            dw[i] = r.nextFloat() - 0.5f;
        }
        WindowGeometry three = new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {1, 1}, AutoPad.EXPLICIT, false);
        Value depthwise = g.value(new dev.infero.core.ops.nn.GroupConvolution(three), "dw",
                fakeQuantize(g, "fq1", x, -2f, 2f * 127 / 128),
                g.addConstant("dw_w", Tensor.of(dw, c, 1, 1, 3, 3)).output(0));
        if (bias) {
            float[] b = new float[c];
            for (int i = 0; i < c; i++) {
                b[i] = r.nextFloat() - 0.5f;
            }
            depthwise = g.value(new Add(), "dw_bias", depthwise, g.addConstant("dw_b", Tensor.of(b, 1, c, 1, 1))
                    .output(0));
        }
        int cout = 5;
        Tensor codes = Tensor.allocate(ElementType.I8, cout, c, k, k);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (c > 256 ? 127 : r.nextInt(255) - 127);
        }
        float[] scales = new float[cout];
        java.util.Arrays.fill(scales, 0.01f);
        Value w = g.value(new Multiply(), "w",
                g.value(new Convert(ElementType.F32), "w_f32", g.addConstant("w_i8", codes).output(0)),
                g.addConstant("w_scale", Tensor.of(scales, cout, 1, 1, 1)).output(0));
        long p = k / 2;
        WindowGeometry same = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {p, p},
                new long[] {p, p}, AutoPad.EXPLICIT, false);
        g.addResult("y", g.value(new Relu(), "relu",
                g.value(new Convolution(same), "conv", fakeQuantize(g, "fq2", depthwise, -1.5f, 1.5f * 127 / 128), w)));
        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 4.4f - 2.2f;
        }
        FastRun fast = runFast(g, input);
        float[] got = fast.output();
        String dwType = fast.info("dw").execType();
        // Generated AVX-512 depthwise code before VNNI 1×1 tiles passes the codes as u8 quads (no packing pass).
        boolean quads = k == 1 && Jit.isa("depthwise") == Jit.Isa.AVX512
                && U8S8ConvTiles.form() == dev.infero.cpu.kernels.U8S8Conv.Form.U8_QUADS;
        assertTrue(dwType.endsWith("_FP32_on_I8_codes" + (bias ? "+bias" : "") + (quads ? "+quantize_u8"
                : "+quantize")), dwType);
        if (quads) {
            // The same codes as float codes: the outputs bit for bit.
            String before = System.setProperty("infero.jit.u8quads", "off");
            try {
                FastRun floats = runFast(g, input);
                assertTrue(floats.info("dw").execType().endsWith("+quantize"), floats.info("dw").execType());
                org.junit.jupiter.api.Assertions.assertArrayEquals(floats.output(), got);
            } finally {
                if (before == null) {
                    System.clearProperty("infero.jit.u8quads");
                } else {
                    System.setProperty("infero.jit.u8quads", before);
                }
            }
        }
        String convType = fast.info("conv").execType();
        assertTrue(convType.endsWith("_I8+scale+relu"), convType);
        // Generated VNNI tiles always sum in int32 and do not say so; the Vector API kernels name it.
        assertEquals(c > 256 && !convType.startsWith("jit_"), convType.contains("_int32_"), convType);
        assertTrue(fast.profile().stream().filter(i -> i.nodeName().startsWith("fq"))
                .allMatch(i -> i.status() == ProfilingInfo.Status.OPTIMIZED_OUT), fast.profile().toString());
        float[] want = runReference(g, input);
        // A depthwise sum within ulps of a level boundary of fq2 may take the neighbouring level: one step
        // (3/255) through one weight code and scale (≤ 1.27) per flipped input, rarely more than one.
        assertFewFlippedLevels(got, want, 2 * 3f / 255 * 1.27f + 1e-4f);
    }

    /**
     * Convolution → ReLU → FakeQuantize → INT8 3×3 convolution → ReLU → FakeQuantize → INT8 1×1 convolution, the
     * ResNet bottleneck: the first convolution (f32, or INT8 with its own sums in int32 when they could pass 2^24)
     * quantizes each output row as it finishes it and writes the codes in place of its output; the 3×3 layer reads
     * them as they are and writes the 1×1 layer's codes in turn.
     */
    @ParameterizedTest(name = "first layer {0}, {1} input channels, {2}×{2}")
    @CsvSource({"FP32, 6, 1", "FP32, 30, 3", "I8, 6, 1", "I8, 40, 3", "I8, 1040, 1"})
    void convolutionWritesTheCodesOfTheInt8LayerAfterIt(String first, int c, int k) {
        int[] shape = {1, c, 12, 9};
        Random r = new Random(c + k);
        Graph g = new Graph("bottleneck");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        int mid = 8;
        Value conv1;
        if (first.equals("I8")) {
            conv1 = g.value(new Convolution(same(k)), "conv1", fakeQuantize(g, "fq1", x, -2f, 2f * 127 / 128),
                    int8Weights(g, "w1", mid, c, k, r, c > 256));
        } else {
            float[] w = new float[mid * c * k * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (r.nextFloat() - 0.5f) / c;
            }
            conv1 = g.value(new Convolution(same(k)), "conv1", x, g.addConstant("w1", Tensor.of(w, mid, c, k, k))
                    .output(0));
        }
        Value relu1 = g.value(new Relu(), "relu1", conv1);
        Value conv2 = g.value(new Convolution(same(3)), "conv2", fakeQuantize(g, "fq2", relu1, 0f, 2f),
                int8Weights(g, "w2", 5, mid, 3, r, false));
        Value relu2 = g.value(new Relu(), "relu2", conv2);
        g.addResult("y", g.value(new Convolution(same(1)), "conv3", fakeQuantize(g, "fq3", relu2, 0f, 2f),
                int8Weights(g, "w3", 4, 5, 1, r, false)));
        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 4.4f - 2.2f;
        }
        FastRun fast = runFast(g, input);
        String writer = fast.info("conv1").execType();
        assertTrue(writer.contains("_" + first) && writer.endsWith("+relu+quantize"), writer);
        assertEquals(c > 256 && !writer.startsWith("jit_"), writer.contains("_int32_"), writer);
        String both = fast.info("conv2").execType();
        assertTrue(both.endsWith("_I8+scale+relu+quantize"), both);
        assertTrue(fast.info("conv3").execType().endsWith("_I8+scale"), fast.info("conv3").execType());
        assertEquals(ProfilingInfo.Status.OPTIMIZED_OUT, fast.info("fq2").status());
        assertEquals(ProfilingInfo.Status.OPTIMIZED_OUT, fast.info("fq3").status());
        // A value within ulps of a level boundary of fq2 or fq3 may take the neighbouring level: one step (2/255)
        // through one or two layers of weight codes and scales (≤ 1.27 each, 5 inputs to conv3), rarely more.
        assertFewFlippedLevels(fast.output(), runReference(g, input), 2 * 2f / 255 * 1.27f * 1.27f * 5 + 1e-4f);
    }

    private static WindowGeometry same(int k) {
        long p = k / 2;
        return new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {p, p}, new long[] {p, p},
                AutoPad.EXPLICIT, false);
    }

    /** INT8 weights as quantized IRs store them: i8 codes → Convert → Multiply by one scale (0.01) per channel. */
    private static Value int8Weights(Graph g, String name, int cout, int cin, int k, Random r, boolean extreme) {
        Tensor codes = Tensor.allocate(ElementType.I8, cout, cin, k, k);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (extreme ? 127 : r.nextInt(255) - 127);
        }
        float[] scales = new float[cout];
        java.util.Arrays.fill(scales, 0.01f);
        return g.value(new Multiply(), name,
                g.value(new Convert(ElementType.F32), name + "_f32", g.addConstant(name + "_i8", codes).output(0)),
                g.addConstant(name + "_scale", Tensor.of(scales, cout, 1, 1, 1)).output(0));
    }

    /**
     * Every value within {@code tolerance} of the reference, and at most one in 20 off at all: the few that differ
     * are where a value within ulps of a level boundary took the neighbouring level.
     */
    private static void assertFewFlippedLevels(float[] got, float[] want, float tolerance) {
        assertEquals(want.length, got.length);
        int off = 0;
        for (int i = 0; i < want.length; i++) {
            float d = Math.abs(got[i] - want[i]);
            assertTrue(d <= tolerance, "[" + i + "] " + got[i] + " vs " + want[i]);
            off += d > 1e-4f * (1 + Math.abs(want[i])) ? 1 : 0;
        }
        assertTrue(off <= want.length / 20, off + " of " + want.length + " values differ");
    }

    /** A run with the fast kernels (two threads): the output and the per-layer profile. */
    private record FastRun(float[] output, List<ProfilingInfo> profile) {
        ProfilingInfo info(String node) {
            return profile.stream().filter(i -> i.nodeName().equals(node)).findFirst().orElseThrow();
        }
    }

    private static FastRun runFast(Graph g, Tensor input) {
        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", "2"))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, input);
            request.run();
            return new FastRun(request.output(0).toFloatArray(), request.profilingInfo());
        }
    }

    /** What the reference ops compute: with a dynamic batch the plan runs each node's reference kernel. */
    private static float[] runReference(Graph g, Tensor input) {
        int[] shape = input.shape();
        g.reshape(g.parameter("x"), PartialShape.of(-1, shape[1], shape[2], shape[3]));
        try (var reference = new CpuDevice().compile(g, Map.of())) {
            ExecutionRequest request = reference.newRequest();
            request.setInput(0, input);
            request.run();
            return request.output(0).toFloatArray();
        }
    }

    private static Value fakeQuantize(Graph g, String name, Value x, float low, float high) {
        Value[] r = new Value[4];
        for (int i = 0; i < 4; i++) {
            r[i] = g.addConstant(name + "_r" + i, Tensor.of(new float[] {i % 2 == 0 ? low : high}, 1, 1, 1, 1)).output(0);
        }
        return g.value(new FakeQuantize(256), name, x, r[0], r[1], r[2], r[3]);
    }
}
