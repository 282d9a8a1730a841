package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated depthwise convolution ({@link DepthwiseKernel} inside {@link WindowKernel}) for each ISA this machine
 * runs, against the Vector API kernel on random shapes: kernels 1–7 (square and not), strides 1–2 (also different
 * per axis), dilations 1–2, padding 0–3, odd and tiny planes, widths with and without vector tails and past three
 * vectors, channels not a multiple of 16, batch 1–2, 1–3 threads (small planes: one call per run of planes, runs
 * that start and end anywhere), and every post-op: those applied in registers (scale, bias, residual, ReLU, clamp,
 * leaky ReLU, PReLU, HSwish, and sigmoid, swish and ELU through the generated exp).
 */
class DepthwiseJitPropertyTest {
    private static ConvGeometry geometry(Random r) {
        // Strides 1 and 2 fill the buffer in generated code; stride 3 (one in ten) leaves the fill to Java.
        return KernelProperties.depthwiseGeometry(r, 10, 60, 110, true, q -> 1 + q.nextInt(40));
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void depthwiseMatchesTheVectorKernel(Jit.Isa isa) {
        valuesTrials(isa, 4242, 300, DepthwiseJitPropertyTest::geometry);
    }

    /**
     * Planes past {@link DepthwiseKernel.Key#pingPong} (44–100 rows and columns), where the generated code streams
     * the fill group by group of output rows ({@code DepthwiseKernel.emitStreaming}): FP32 values, INT8 codes in and
     * out, and u8 quads, against the Vector API loops as in the tests above.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void largePlanesStreamedMatchTheVectorKernel(Jit.Isa isa) {
        java.util.function.Function<Random, ConvGeometry> large = r -> {
            while (true) {
                ConvGeometry g = KernelProperties.depthwiseGeometry(r, 10, 100, 100, true, q -> 1 + q.nextInt(3));
                if (g.inH() >= 44 && g.inW() >= 44) {
                    return g;
                }
            }
        };
        valuesTrials(isa, 515, 25, large);
        onCodesTrials(isa, 516, 25, large);
        quadsTrials(isa, 517, 25, large);
    }

    private static void valuesTrials(Jit.Isa isa, long seed, int count,
                                     java.util.function.Function<Random, ConvGeometry> geometry) {
        KernelProperties.trials(isa, seed, count, (r, trial) -> {
            ConvGeometry g = geometry.apply(r);
            int threads = 1 + r.nextInt(3);
            int c = g.inChannels();
            float[] in = RandomData.uniform(r, g.batch() * c * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, c * g.kernelH() * g.kernelW());
            PostOps post = KernelProperties.randomPostOps(r, c);
            int outLen = g.batch() * c * g.outH() * g.outW();
            WindowKernel reference = WindowKernel.depthwise(g, wts, post, null);
            WindowKernel generated = WindowKernel.depthwise(g, wts, post, isa);
            assertEquals("jit_" + isa.label(), generated.implementation());
            KernelProperties.assertSameOutputs(r, in, RandomData.uniform(r, outLen), outLen, threads,
                    KernelProperties.of(reference, threads), KernelProperties.of(generated, threads),
                    KernelProperties.relative(2e-6f), () -> "trial " + trial + " " + g + " " + post.describe());
        });
    }

    /**
     * INT8 models' depthwise layers on codes: the input quantized by the generated fill (or, {@code readingCodes},
     * codes the layer before wrote, copied as they are; or float values, an FP32 depthwise layer), optionally writing
     * the codes of the output's quantizer quantized in registers, with every post-op: the generated code against the
     * Vector API loops, codes exactly (both quantize with the same multiply-add, rounding constant and integer clamp,
     * and sum the taps in the same order) except after an exp-based activation (one level at most), values within
     * float rounding.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void depthwiseOnCodesMatchesTheVectorKernel(Jit.Isa isa) {
        onCodesTrials(isa, 977, 200, DepthwiseJitPropertyTest::geometry);
    }

    private static void onCodesTrials(Jit.Isa isa, long seed, int count,
                                      java.util.function.Function<Random, ConvGeometry> geometry) {
        KernelProperties.trials(isa, seed, count, (r, trial) -> {
            ConvGeometry g = geometry.apply(r);
            int c = g.inChannels();
            float[] in = RandomData.uniform(r, g.batch() * c * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, c * g.kernelH() * g.kernelW());
            ActivationQuantizer[] inCodes = new ActivationQuantizer[c];
            ActivationQuantizer[] outCodes = new ActivationQuantizer[c];
            ActivationQuantizer perTensor = r.nextBoolean() ? quantizer(r, 0.01f) : null;
            for (int i = 0; i < c; i++) {
                inCodes[i] = perTensor != null ? perTensor : quantizer(r, 0.01f);
                outCodes[i] = quantizer(r, 0.02f);
            }
            PostOps post = r.nextInt(3) == 0 ? new PostOps(RandomData.uniform(r, c), false, PostOps.Activation.NONE,
                    0f, 0f) : KernelProperties.randomPostOps(r, c);
            boolean writeCodes = r.nextBoolean() && !post.hasResidual();
            // A quarter of the layers read float values (an FP32 depthwise convolution writing the next layer's codes).
            boolean valuesIn = r.nextInt(4) == 0;
            boolean readCodes = !valuesIn && r.nextBoolean();
            WindowKernel reference = valuesIn ? WindowKernel.depthwise(g, wts, post, null)
                    : WindowKernel.depthwiseOnCodes(g, wts, inCodes, post, null);
            WindowKernel generated = valuesIn ? WindowKernel.depthwise(g, wts, post, isa)
                    : WindowKernel.depthwiseOnCodes(g, wts, inCodes, post, isa);
            if (readCodes) {
                reference = reference.readingCodes();
                generated = generated.readingCodes();
                int plane = g.inH() * g.inW();
                for (int p = 0; p < g.batch() * c; p++) {
                    inCodes[p % c].quantize(in, p * plane, in, p * plane, plane);
                }
            }
            if (writeCodes) {
                reference = reference.writingCodes(outCodes);
                generated = generated.writingCodes(outCodes);
            }
            assertEquals("jit_" + isa.label(), generated.implementation());
            int outLen = g.batch() * c * g.outH() * g.outW();
            int threads = 1 + r.nextInt(2);
            // Sigmoid, swish and ELU: the generated exp is within 2e-6 relative of the Vector API's, so a value
            // that close to a rounding boundary may take the neighbouring code; every other post-op is exact.
            String d = post.describe();
            boolean exp = d.contains("sigmoid") || d.contains("swish") || d.contains("elu");
            KernelProperties.Tolerance tolerance = writeCodes ? e -> exp ? 1f : 0f : KernelProperties.relative(2e-6f);
            KernelProperties.assertSameOutputs(r, in, RandomData.uniform(r, outLen), outLen, threads,
                    KernelProperties.of(reference, threads), KernelProperties.of(generated, threads), tolerance,
                    () -> "trial " + trial + " " + g + " " + d + " values in " + valuesIn + " codes in " + readCodes
                            + " codes out " + writeCodes);
        });
    }

    /**
     * Codes written as u8 quads ({@link WindowKernel#writingQuads}, AVX-512 only): on random layers (as above, no
     * residual), channel c's level {@code code + zeroPoint} at byte {@code c % 4} of lane p of image n's quad plane
     * {@code c / 4} equals the float code the same kernel writes without quads, and every other byte of the output
     * keeps what was there. AVX2 code cannot store bytes under a mask and never writes quads.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void quadsHoldTheLevelsOfTheCodes(Jit.Isa isa) {
        quadsTrials(isa, 31, 150, DepthwiseJitPropertyTest::geometry);
    }

    private static void quadsTrials(Jit.Isa isa, long seed, int count,
                                    java.util.function.Function<Random, ConvGeometry> geometry) {
        assumeTrue(isa.supported(), isa + " not available here");
        Random r = new Random(seed + isa.ordinal());
        for (int trial = 0; trial < count; trial++) {
            ConvGeometry g = geometry.apply(r);
            int c = g.inChannels();
            float[] in = RandomData.uniform(r, g.batch() * c * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, c * g.kernelH() * g.kernelW());
            ActivationQuantizer[] inCodes = new ActivationQuantizer[c];
            ActivationQuantizer[] outCodes = new ActivationQuantizer[c];
            for (int i = 0; i < c; i++) {
                inCodes[i] = quantizer(r, 0.01f);
                outCodes[i] = quantizer(r, 0.02f);
            }
            PostOps post = KernelProperties.randomPostOps(r, c);
            if (post.hasResidual()) {
                post = new PostOps(RandomData.uniform(r, c), false, PostOps.Activation.RELU, 0f, 0f);
            }
            WindowKernel codes = WindowKernel.depthwiseOnCodes(g, wts, inCodes, post, isa).writingCodes(outCodes);
            if (isa != Jit.Isa.AVX512) {
                assertFalse(codes.canWriteQuads());
                continue;
            }
            WindowKernel quads;
            if (r.nextBoolean()) {
                quads = codes.writingQuads();
            } else {
                // The order the fusion may apply them in: codes in after quads out keeps the quads.
                quads = codes.writingQuads().readingCodes();
                codes = codes.readingCodes();
                int plane = g.inH() * g.inW();
                for (int p = 0; p < g.batch() * c; p++) {
                    inCodes[p % c].quantize(in, p * plane, in, p * plane, plane);
                }
            }
            int plane = g.outH() * g.outW();
            int outLen = g.batch() * c * plane;
            float[] expected = new float[outLen];
            float[] actual = new float[outLen];
            for (int i = 0; i < outLen; i++) {
                actual[i] = Float.intBitsToFloat(r.nextInt());
            }
            float[] before = actual.clone();
            int threads = 1 + r.nextInt(2);
            try (WorkerPool pool = new WorkerPool(threads, "t")) {
                codes.run(in, expected, null, codes.newScratch(threads), pool);
                WindowKernel.Scratch s = quads.newScratch(threads);
                quads.run(in, actual, null, s, pool);
                quads.run(in, actual, null, s, pool);
            }
            boolean[] written = new boolean[4 * outLen];
            for (int n = 0; n < g.batch(); n++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < plane; p++) {
                        int lane = (n * c + ch / 4) * plane + p;
                        int level = Float.floatToRawIntBits(actual[lane]) >>> 8 * (ch % 4) & 0xff;
                        float code = expected[(n * c + ch) * plane + p];
                        assertEquals(code + outCodes[ch].zeroPoint(), level, "trial " + trial + " " + g + " "
                                + post.describe() + " image " + n + " channel " + ch + " at " + p);
                        written[4 * lane + ch % 4] = true;
                    }
                }
            }
            for (int b = 0; b < written.length; b++) {
                if (!written[b]) {
                    assertEquals(Float.floatToRawIntBits(before[b / 4]) >>> 8 * (b % 4) & 0xff,
                            Float.floatToRawIntBits(actual[b / 4]) >>> 8 * (b % 4) & 0xff,
                            "trial " + trial + " " + g + ": byte " + b + " overwritten");
                }
            }
        }
    }

    /** A u8 quantizer with a random integer zero point and a step of 1–3 × {@code unit}. */
    private static ActivationQuantizer quantizer(Random r, float unit) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int zp = r.nextInt(256);
            float step = unit * (1 + r.nextInt(3));
            ActivationQuantizer q = ActivationQuantizer.of(-zp * step, (255 - zp) * step, 256);
            if (q != null) {
                return q;
            }
        }
        return ActivationQuantizer.of(-1.28f, 1.27f, 256);
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void kernelsPastElevenByElevenKeepTheVectorKernel(Jit.Isa isa) {
        Random r = KernelProperties.random(isa, 5);
        ConvGeometry g = new ConvGeometry(1, 3, 20, 20, 3, 20, 20, 13, 13, 1, 1, 1, 1, 6, 6, 3);
        float[] wts = RandomData.uniform(r, 3 * 13 * 13);
        WindowKernel k = WindowKernel.depthwise(g, wts, PostOps.NONE, isa);
        assertEquals(WindowKernel.depthwise(g, wts, PostOps.NONE, null).implementation(), k.implementation());
        float[] in = RandomData.uniform(r, 3 * 400);
        float[] expected = new float[3 * 400];
        float[] actual = new float[3 * 400];
        try (WorkerPool pool = new WorkerPool(1, "t")) {
            WindowKernel ref = WindowKernel.depthwise(g, wts, PostOps.NONE, null);
            ref.run(in, expected, null, ref.newScratch(1), pool);
            k.run(in, actual, null, k.newScratch(1), pool);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        List<Integer> taps = List.of(0, 1, 2, 9, 10, 11, 18, 19, 20);
        DepthwiseKernel k = new DepthwiseKernel(KernelCache.shared(), new DepthwiseKernel.Key(isa, null, 5, 7, 9,
                taps, false, true, true, DepthwiseKernel.Activation.RELU));
        int extent = k.key().bufferExtent();
        float[] buf = new float[extent];
        float[] w = new float[9];
        float[] out = new float[35];
        float[] table = new float[DepthwiseKernel.TABLE];
        k.fillTable(table, 0, 1f, 0.5f, 0f, 0f);
        k.run(buf, 0, w, 0, out, 0, out.clone(), table, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, 1, w, 0, out, 0, out, table, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[extent - 1], 0, w, 0, out, 0, out,
                table, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, 0, w, 1, out, 0, out, table, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, 0, w, 0, out, 1, out, table, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, 0, w, 0, out, 0, new float[34], table, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, 0, w, 0, out, 0, out, table, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(buf, -1, w, 0, out, 0, out, table, 0));
        assertThrows(IllegalStateException.class, () -> k.run(new float[35], 0, buf, 0, w, 0, out, 0, out, table, 0));
        // 3×3, padding 1 on a 5×7 input: input row iy goes to buffer row iy + 1, column x to x + 1.
        DepthwiseKernel.Fill fill = new DepthwiseKernel.Fill(5, 7, 1, 1, 7 * 9, List.of(9, 18, 27, 36, 45),
                List.of(-1), List.of(1), List.of(8));
        DepthwiseKernel f = new DepthwiseKernel(KernelCache.shared(), new DepthwiseKernel.Key(isa, fill, 5, 7, 9,
                taps, false, false, false, DepthwiseKernel.Activation.NONE));
        float[] in = new float[35];
        java.util.Arrays.fill(in, 1f);
        java.util.Arrays.fill(w, 1f);
        float[] b = new float[f.key().bufferExtent()];
        f.run(in, 0, b, 0, w, 0, out, 0, null, table, 0);
        assertEquals(4f, out[0]);
        assertEquals(9f, out[8]);
        assertThrows(IndexOutOfBoundsException.class, () -> f.run(new float[34], 0, b, 0, w, 0, out, 0, null, table,
                0));
        assertThrows(IndexOutOfBoundsException.class, () -> f.run(in, 1, b, 0, w, 0, out, 0, null, table, 0));
        assertThrows(IllegalStateException.class, () -> f.run(b, 0, w, 0, out, 0, null, table, 0));
        // Two planes in one call: both buffer halves, two planes of input, weights, output and table.
        float[] in2 = new float[70];
        java.util.Arrays.fill(in2, 1f);
        float[] w2 = new float[18];
        java.util.Arrays.fill(w2, 1f);
        float[] out2 = new float[70];
        float[] table2 = new float[2 * DepthwiseKernel.TABLE];
        f.fillTable(table2, 0, 1f, 0f, 0f, 0f);
        f.fillTable(table2, DepthwiseKernel.TABLE, 1f, 0f, 0f, 0f);
        float[] b2 = new float[f.key().bufferLength()];
        f.runPlanes(in2, 0, b2, 0, w2, 0, out2, 0, null, table2, 0, 2);
        assertEquals(4f, out2[35]);
        assertEquals(9f, out2[43]);
        assertThrows(IndexOutOfBoundsException.class, () -> f.runPlanes(new float[69], 0, b2, 0, w2, 0, out2, 0,
                null, table2, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> f.runPlanes(in2, 0, b, 0, w2, 0, out2, 0, null, table2,
                0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> f.runPlanes(in2, 0, b2, 0, w, 0, out2, 0, null, table2,
                0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> f.runPlanes(in2, 0, b2, 0, w2, 0, out, 0, null, table2,
                0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> f.runPlanes(in2, 0, b2, 0, w2, 0, out2, 0, null, table,
                0, 2));
        assertThrows(IllegalArgumentException.class, () -> f.runPlanes(in2, 0, b2, 0, w2, 0, out2, 0, null, table2,
                0, 0));
        // A 64×64 plane is past Key.pingPong: one plane per call.
        DepthwiseKernel.Fill large = new DepthwiseKernel.Fill(64, 64, 1, 1, 66 * 66,
                java.util.stream.IntStream.range(0, 64).mapToObj(i -> (i + 1) * 66).toList(), List.of(-1), List.of(1),
                List.of(65));
        DepthwiseKernel one = new DepthwiseKernel(KernelCache.shared(), new DepthwiseKernel.Key(isa, large, 64, 64,
                66, List.of(0, 1, 2, 66, 67, 68, 132, 133, 134), false, false, false, DepthwiseKernel.Activation.NONE));
        assertFalse(one.key().pingPong());
        assertTrue(one.streams() || "off".equals(System.getProperty("infero.jit.depthwiseStreaming")));
        assertFalse(f.streams());
        assertEquals(one.key().bufferExtent(), one.key().bufferLength());
        float[] ones = new float[64 * 64];
        java.util.Arrays.fill(ones, 1f);
        float[] w9 = new float[9];
        java.util.Arrays.fill(w9, 1f);
        float[] o = new float[64 * 64];
        one.run(ones, 0, new float[one.key().bufferLength()], 0, w9, 0, o, 0, null, table, 0);
        assertEquals(4f, o[0]);
        assertEquals(6f, o[1]);
        assertEquals(9f, o[65]);
        assertEquals(4f, o[64 * 64 - 1]);
        assertEquals(6f, o[64 * 63 - 1]);
        assertThrows(IllegalArgumentException.class, () -> one.runPlanes(new float[8192], 0,
                new float[one.key().bufferLength()], 0, new float[18], 0, new float[8192], 0, null,
                new float[2 * DepthwiseKernel.TABLE], 0, 2));
        if (isa == Jit.Isa.AVX512) {
            // u8 quads: 35 positions, byte 4·p from the byte offset; the last byte must lie in the array.
            DepthwiseKernel q = new DepthwiseKernel(KernelCache.shared(), new DepthwiseKernel.Key(isa, null, 5, 7, 9,
                    taps, false, true, false, DepthwiseKernel.Activation.NONE, true, true));
            q.runQuads(buf, 0, buf, 0, w, 0, out, 3, table, 0);
            assertThrows(IndexOutOfBoundsException.class, () -> q.runQuads(buf, 0, buf, 0, w, 0, out, 4, table, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> q.runQuads(buf, 0, buf, 0, w, 0, out, -1, table, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> q.runQuads(buf, 0, buf, 0, w, 0, new float[34], 0,
                    table, 0));
            assertThrows(IllegalStateException.class, () -> k.runQuads(buf, 0, buf, 0, w, 0, out, 0, table, 0));
            // Two channels' planes in one call from channel 3 (byte 3): the second is byte 0 of the next quad plane,
            // 35 lanes on, so its last byte lies in float 69.
            DepthwiseKernel fq = new DepthwiseKernel(KernelCache.shared(), new DepthwiseKernel.Key(isa, fill, 5, 7, 9,
                    taps, false, false, false, DepthwiseKernel.Activation.NONE, true, true));
            assertTrue(fq.runsPlanes());
            float[] quads = new float[70];
            float[] bq = new float[fq.key().bufferLength()];
            fq.runQuadsPlanes(in2, 0, bq, 0, w2, 0, quads, 3, table2, 0, 2);
            assertThrows(IndexOutOfBoundsException.class, () -> fq.runQuadsPlanes(in2, 0, bq, 0, w2, 0,
                    new float[69], 3, table2, 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> fq.runQuadsPlanes(in2, 0, bq, 0, w2, 0, quads, 3,
                    table2, 0, 3));
            assertThrows(IllegalStateException.class, () -> one.runQuadsPlanes(in2, 0, bq, 0, w2, 0, quads, 0, table2,
                    0, 1));
        } else {
            assertThrows(IllegalArgumentException.class, () -> new DepthwiseKernel.Key(isa, null, 5, 7, 9, taps,
                    false, true, false, DepthwiseKernel.Activation.NONE, true, true));
        }
    }
}
