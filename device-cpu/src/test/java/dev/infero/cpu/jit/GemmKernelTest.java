package dev.infero.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated GEMM sweep against a plain Java loop: every mode, post-op set, mr, nr, masked widths, with and without
 * B prefetching, sweeps of several tiles along rows and columns, for each ISA this machine runs; out-of-range calls
 * throw before running.
 */
class GemmKernelTest {
    private static final int PANEL = 6;

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void matchesJavaOnRandomTiles(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available");
        Random rnd = new Random(12);
        KernelCache cache = new KernelCache("test");
        try (cache) {
            for (int trial = 0; trial < 150; trial++) {
                int nr = new int[] {8, 16, 32}[rnd.nextInt(3)];
                // AVX-512 tiles of more than a panel's rows read the next panels, kc·PANEL apart (up to three: 14
                // rows of two vectors, 18 of one).
                int mr = 1 + rnd.nextInt(isa == Jit.Isa.AVX512 ? (nr == 32 ? 14 : 3 * PANEL) : PANEL);
                int rows = (mr + PANEL - 1) / PANEL * PANEL;
                GemmKernel.Mode mode = GemmKernel.Mode.values()[rnd.nextInt(4)];
                boolean ints = mode == GemmKernel.Mode.INT_FIRST || mode == GemmKernel.Mode.INT_ACCUMULATE;
                boolean scale = !ints && rnd.nextBoolean();
                boolean bias = !ints && rnd.nextBoolean();
                boolean residual = !ints && rnd.nextBoolean();
                GemmKernel.Activation act = ints ? GemmKernel.Activation.NONE : new GemmKernel.Activation[] {
                    GemmKernel.Activation.NONE, GemmKernel.Activation.RELU, GemmKernel.Activation.CLAMP,
                    GemmKernel.Activation.LEAKY_RELU, GemmKernel.Activation.HSWISH,
                    GemmKernel.Activation.PRELU}[rnd.nextInt(6)];
                boolean masked = isa == Jit.Isa.AVX512 && rnd.nextBoolean();
                // Scale and bias per column (output channels in the lanes), full width.
                boolean byColumn = !masked && !ints && rnd.nextInt(3) == 0;
                int width = masked ? 1 + rnd.nextInt(nr) : nr;
                // Prefetching tiles (any distance, also past the arrays: prefetches never fault) compute the same.
                boolean prefetch = rnd.nextBoolean();
                int prefetchDistance = rnd.nextInt(3) * 1_000_000 + rnd.nextInt(4096);
                // Tiles prefetching the C and residual lines C_AHEAD tiles on (past the arrays for the last ones)
                // compute the same.
                boolean prefetchC = rnd.nextBoolean();
                GemmKernel kernel = new GemmKernel(cache, new GemmKernel.Key(isa, PANEL, mr, nr, mode, scale, bias,
                        residual, act, masked, false, byColumn, prefetch, prefetchC));
                int kc = 1 + rnd.nextInt(40);
                int count = 1 + rnd.nextInt(3);
                boolean alongRows = rnd.nextBoolean();
                int ldb = nr + rnd.nextInt(5);
                int ldc = alongRows ? width + rnd.nextInt(4) : count * nr + rnd.nextInt(4);
                int aStep = kc * rows;
                int bStep = alongRows ? 0 : nr;
                int cStep = alongRows ? rows * ldc : nr;
                int postStep = alongRows ? rows : 0;
                int aOff = rnd.nextInt(5);
                int bOff = rnd.nextInt(5);
                int cOff = rnd.nextInt(5);
                float[] a = values(rnd, aOff + count * aStep, ints);
                float[] b = values(rnd, bOff + (count - 1) * bStep + (kc - 1) * ldb + nr, ints);
                int cLen = cOff + (count - 1) * cStep + (rows - 1) * ldc + nr + 3;
                float[] c = values(rnd, cLen, false);
                if (ints) {
                    for (int i = 0; i < c.length; i++) {
                        c[i] = Float.intBitsToFloat(rnd.nextInt(1000) - 500);
                    }
                }
                float[] res = values(rnd, cLen, false);
                int channels = 3 * rows + 2 + 3 * nr;
                float[] sc = values(rnd, channels, false);
                float[] bi = values(rnd, channels, false);
                int scaleOff = rnd.nextInt(2);
                int biasOff = rnd.nextInt(2);
                // PReLU: one slope per row (per column by column), read like scale and bias.
                float[] sl = values(rnd, channels, false);
                int slopeOff = rnd.nextInt(2);
                float lo = -0.5f;
                float hi = 0.7f;
                float[] expected = c.clone();
                for (int t = 0; t < count; t++) {
                    for (int r = 0; r < mr; r++) {
                        for (int j = 0; j < width; j++) {
                            float sum = 0;
                            for (int p = 0; p < kc; p++) {
                                int ai = aOff + t * aStep + r / PANEL * kc * PANEL + p * PANEL + r % PANEL;
                                sum = Math.fma(a[ai], b[bOff + t * bStep + p * ldb + j], sum);
                            }
                            int ci = cOff + t * cStep + r * ldc + j;
                            float v;
                            switch (mode) {
                                case INT_FIRST -> v = Float.intBitsToFloat(Math.round(sum));
                                case INT_ACCUMULATE -> v = Float.intBitsToFloat(Float.floatToRawIntBits(c[ci])
                                        + Math.round(sum));
                                default -> {
                                    v = mode == GemmKernel.Mode.ACCUMULATE ? c[ci] + sum : sum;
                                    int at = t * postStep + (byColumn ? j : r);
                                    float s = scale ? sc[scaleOff + at] : 1f;
                                    float bb = bias ? bi[biasOff + at] : 0f;
                                    v = Math.fma(v, s, bb);
                                    if (residual) {
                                        v += res[ci];
                                    }
                                    v = activate(act, v, act == GemmKernel.Activation.PRELU
                                            ? sl[slopeOff + at] : lo, hi);
                                }
                            }
                            expected[ci] = v;
                        }
                    }
                }
                kernel.run(kc, count, a, aOff, aStep, b, bOff, ldb, bStep, c, cOff, ldc, cStep, width, sc, scaleOff,
                        bi, biasOff, postStep, res, lo, hi, prefetch ? prefetchDistance : 0, sl, slopeOff);
                if (act == GemmKernel.Activation.PRELU) {
                    // Slopes one element short of the last tile's: refused before the call.
                    int perTile = byColumn ? nr : mr;
                    float[] shortSlopes = java.util.Arrays.copyOf(sl, slopeOff + (count - 1) * postStep + perTile - 1);
                    float[] before = c.clone();
                    int ps = prefetch ? prefetchDistance : 0;
                    assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(kc, count, a, aOff, aStep, b, bOff,
                            ldb, bStep, before, cOff, ldc, cStep, width, sc, scaleOff, bi, biasOff, postStep, res, lo,
                            hi, ps, shortSlopes, slopeOff));
                }
                for (int i = 0; i < c.length; i++) {
                    if (ints) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(c[i]),
                                "trial " + trial + " " + kernel.key() + " at " + i);
                    } else {
                        assertEquals(expected[i], c[i], 1e-4f * (1 + Math.abs(expected[i])),
                                "trial " + trial + " " + kernel.key() + " kc " + kc + " count " + count + " width "
                                        + width + " at " + i);
                    }
                }
            }
        }
    }

    /**
     * Sigmoid, swish and ELU (the generated exp) against the same sums through a kernel without the activation, the
     * activation then in double precision as PostOps' scalar form: 2e-6 relative, as the depthwise kernel.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void expActivationsMatchJavaOnTheSameSums(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available");
        Random rnd = new Random(34);
        GemmKernel.Activation[] acts = {GemmKernel.Activation.SIGMOID, GemmKernel.Activation.SWISH,
            GemmKernel.Activation.ELU};
        try (KernelCache cache = new KernelCache("test")) {
            for (int trial = 0; trial < 120; trial++) {
                GemmKernel.Activation act = acts[trial % 3];
                boolean wide = isa == Jit.Isa.AVX512 && rnd.nextInt(4) == 0;
                int nr = wide ? 64 : new int[] {8, 16, 32}[rnd.nextInt(3)];
                // Up to three panels (14 rows of two vectors: the four temporaries past 28 accumulators).
                int mr = wide ? 1 + rnd.nextInt(PANEL)
                        : 1 + rnd.nextInt(isa == Jit.Isa.AVX512 ? (nr == 32 ? 14 : 3 * PANEL) : PANEL);
                int rows = (mr + PANEL - 1) / PANEL * PANEL;
                GemmKernel.Mode mode = rnd.nextBoolean() ? GemmKernel.Mode.FIRST : GemmKernel.Mode.ACCUMULATE;
                boolean scale = rnd.nextBoolean();
                boolean bias = rnd.nextBoolean();
                boolean residual = rnd.nextBoolean();
                boolean masked = isa == Jit.Isa.AVX512 && rnd.nextBoolean();
                int width = masked ? 1 + rnd.nextInt(nr) : nr;
                GemmKernel plain = new GemmKernel(cache, new GemmKernel.Key(isa, PANEL, mr, nr, mode, scale, bias,
                        residual, GemmKernel.Activation.NONE, masked));
                GemmKernel kernel = new GemmKernel(cache, new GemmKernel.Key(isa, PANEL, mr, nr, mode, scale, bias,
                        residual, act, masked));
                int kc = 1 + rnd.nextInt(40);
                int count = 1 + rnd.nextInt(3);
                int ldb = nr + rnd.nextInt(5);
                int ldc = width + rnd.nextInt(4);
                int aStep = kc * rows;
                int cStep = rows * ldc;
                float[] a = values(rnd, count * aStep, false);
                float[] b = values(rnd, (kc - 1) * ldb + nr, false);
                int cLen = (count - 1) * cStep + (rows - 1) * ldc + nr + 3;
                float[] c = values(rnd, cLen, false);
                float[] res = values(rnd, cLen, false);
                // Scales up to ±40: sums past exp's clamp at -86 and 88 too.
                float[] sc = values(rnd, count * rows, false);
                for (int i = 0; i < sc.length; i++) {
                    sc[i] *= 40;
                }
                float[] bi = values(rnd, count * rows, false);
                float alpha = act == GemmKernel.Activation.SWISH ? 0.5f + rnd.nextFloat() : 0.2f + rnd.nextFloat();
                float[] sums = c.clone();
                float[] actual = c.clone();
                plain.run(kc, count, a, 0, aStep, b, 0, ldb, 0, sums, 0, ldc, cStep, width, sc, 0, bi, 0, rows,
                        res, alpha, 0);
                kernel.run(kc, count, a, 0, aStep, b, 0, ldb, 0, actual, 0, ldc, cStep, width, sc, 0, bi, 0, rows,
                        res, alpha, 0);
                boolean[] written = new boolean[cLen];
                for (int t = 0; t < count; t++) {
                    for (int r = 0; r < mr; r++) {
                        for (int j = 0; j < width; j++) {
                            written[t * cStep + r * ldc + j] = true;
                        }
                    }
                }
                for (int i = 0; i < cLen; i++) {
                    if (!written[i]) {
                        assertEquals(c[i], actual[i], "untouched, trial " + trial + " at " + i);
                        continue;
                    }
                    double v = sums[i];
                    float expected = (float) switch (act) {
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                        case SWISH -> v / (1 + Math.exp(-alpha * v));
                        default -> v < 0 ? alpha * (Math.exp(v) - 1) : v;
                    };
                    assertEquals(expected, actual[i], 2e-6f * (1 + Math.abs(expected)), "trial " + trial + " "
                            + kernel.key() + " kc " + kc + " width " + width + " at " + i + ", sum " + v);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available");
        GemmKernel kernel = new GemmKernel(KernelCache.shared(), new GemmKernel.Key(isa, PANEL, PANEL, 16,
                GemmKernel.Mode.FIRST, false, true, true, GemmKernel.Activation.RELU, false));
        float[] a = new float[10 * PANEL];
        float[] b = new float[10 * 16];
        float[] c = new float[PANEL * 16];
        float[] bias = new float[PANEL];
        // Well inside: runs.
        kernel.run(10, 1, a, 0, 0, b, 0, 16, 0, c, 0, 16, 0, 16, null, 0, bias, 0, 0, c.clone(), 0, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(11, 1, a, 0, 0, b, 0, 16, 0, c, 0, 16, 0, 16,
                null, 0, bias, 0, 0, c.clone(), 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(10, 1, a, 0, 0, b, 1, 16, 0, c, 0, 16, 0, 16,
                null, 0, bias, 0, 0, c.clone(), 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(10, 1, a, 0, 0, b, 0, 16, 0, c, 0, 17, 0, 16,
                null, 0, bias, 0, 0, c.clone(), 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(10, 1, a, 0, 0, b, 0, 16, 0, c, 0, 16, 0, 16,
                null, 0, bias, 1, 0, c.clone(), 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(10, 1, a, 0, 0, b, 0, 16, 0, c, 0, 16, 0, 16,
                null, 0, bias, 0, 0, new float[10], 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> kernel.run(10, 2, a, 0, 0, b, 0, 16, 16, c, 0, 16, 16,
                16, null, 0, bias, 0, 0, c.clone(), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> kernel.run(10, 1, a, -1, 0, b, 0, 16, 0, c, 0, 16, 0, 8,
                null, 0, bias, 0, 0, c.clone(), 0, 0));
        if (isa == Jit.Isa.AVX512) {
            // Two-panel tiles read 2·kc·PANEL values of A and write 2·PANEL rows of C.
            GemmKernel tall = new GemmKernel(KernelCache.shared(), new GemmKernel.Key(isa, PANEL, 2 * PANEL, 16,
                    GemmKernel.Mode.FIRST, false, false, false, GemmKernel.Activation.NONE, false));
            float[] c2 = new float[2 * PANEL * 16];
            tall.run(5, 1, a, 0, 0, b, 0, 16, 0, c2, 0, 16, 0, 16, null, 0, null, 0, 0, null, 0, 0);
            assertThrows(IndexOutOfBoundsException.class, () -> tall.run(6, 1, a, 0, 0, b, 0, 16, 0, c2, 0, 16, 0,
                    16, null, 0, null, 0, 0, null, 0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> tall.run(5, 1, a, 0, 0, b, 0, 16, 0, c, 0, 16, 0,
                    16, null, 0, null, 0, 0, null, 0, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void segmentedTilesSumEverySegment(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available");
        Random rnd = new Random(3);
        for (int trial = 0; trial < 40; trial++) {
            int nr = new int[] {8, 16, 32}[rnd.nextInt(3)];
            // AVX-512: also tiles of two panels, the second one's rows read from their own offsets per segment.
            boolean two = isa == Jit.Isa.AVX512 && trial % 2 == 1;
            int mr = two ? PANEL + 1 + rnd.nextInt(PANEL) : 1 + rnd.nextInt(PANEL);
            int segs = 1 + rnd.nextInt(9);
            int ldb = nr * (1 + rnd.nextInt(6)) + rnd.nextInt(3);
            int[] aOff = new int[segs];
            int[] bOff = new int[segs];
            int[] len = new int[segs];
            int[] aSecond = two ? new int[segs] : null;
            for (int s = 0; s < segs; s++) {
                len[s] = 1 + rnd.nextInt(30);
                aOff[s] = rnd.nextInt(200);
                bOff[s] = rnd.nextInt(50);
                if (two) {
                    aSecond[s] = rnd.nextInt(200);
                }
            }
            GemmKernel.Segments table = new GemmKernel.Segments(aOff, aSecond, bOff, len, PANEL, ldb);
            // Post-ops after the last segment (every other trial), once: scale, bias, residual, ReLU or clamp.
            boolean post = trial % 4 >= 2;
            boolean scale = post && rnd.nextBoolean();
            boolean bias = post && rnd.nextBoolean();
            boolean residual = post && rnd.nextBoolean();
            GemmKernel.Activation act = post ? new GemmKernel.Activation[] {GemmKernel.Activation.NONE,
                GemmKernel.Activation.RELU, GemmKernel.Activation.CLAMP, GemmKernel.Activation.LEAKY_RELU,
                GemmKernel.Activation.HSWISH, GemmKernel.Activation.PRELU}[rnd.nextInt(6)]
                : GemmKernel.Activation.NONE;
            GemmKernel kernel = new GemmKernel(KernelCache.shared(), new GemmKernel.Key(isa, PANEL, mr, nr,
                    GemmKernel.Mode.FIRST, scale, bias, residual, act, false, true, false));
            int scaleOff = rnd.nextInt(3);
            int biasOff = rnd.nextInt(3);
            float[] sc = values(rnd, scaleOff + mr, false);
            float[] bi = values(rnd, biasOff + mr, false);
            int slopeOff = rnd.nextInt(3);
            float[] sl = values(rnd, slopeOff + mr, false);
            float lo = -0.4f;
            float hi = 0.6f;
            int count = 1 + rnd.nextInt(3);
            float[] a = values(rnd, 200 + 30 * PANEL, false);
            float[] b = values(rnd, 50 + 30 * ldb + count * nr, false);
            int ldc = count * nr + rnd.nextInt(3);
            float[] c = values(rnd, 2 * PANEL * ldc, false);
            float[] res = values(rnd, c.length, false);
            float[] expected = c.clone();
            for (int t = 0; t < count; t++) {
                for (int r = 0; r < mr; r++) {
                    for (int j = 0; j < nr; j++) {
                        float sum = 0;
                        for (int s = 0; s < segs; s++) {
                            for (int p = 0; p < len[s]; p++) {
                                float av = r < PANEL ? a[aOff[s] + p * PANEL + r] : a[aSecond[s] + p * PANEL + r - PANEL];
                                sum = Math.fma(av, b[bOff[s] + t * nr + p * ldb + j], sum);
                            }
                        }
                        int ci = r * ldc + t * nr + j;
                        float v = Math.fma(sum, scale ? sc[scaleOff + r] : 1f, bias ? bi[biasOff + r] : 0f);
                        v += residual ? res[ci] : 0f;
                        expected[ci] = activate(act, v, act == GemmKernel.Activation.PRELU ? sl[slopeOff + r] : lo,
                                hi);
                    }
                }
            }
            kernel.runSegmented(table, count, a, 0, b, 0, ldb, nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo,
                    hi, sl, slopeOff);
            for (int i = 0; i < c.length; i++) {
                assertEquals(expected[i], c[i], 1e-4f * (1 + Math.abs(expected[i])), "trial " + trial + " at " + i);
            }
            // One element short anywhere: refused before the call.
            int maxB = 0;
            for (int s = 0; s < segs; s++) {
                maxB = Math.max(maxB, bOff[s] + (len[s] - 1) * ldb);
            }
            float[] tooShort = new float[maxB + (count - 1) * nr + nr - 1];
            assertThrows(IndexOutOfBoundsException.class, () -> kernel.runSegmented(table, count, a, 0, tooShort, 0,
                    ldb, nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo, hi));
            assertThrows(IllegalArgumentException.class, () -> kernel.runSegmented(table, count, a, 0, b, 0, ldb + 1,
                    nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo, hi));
            if (scale) {
                assertThrows(IndexOutOfBoundsException.class, () -> kernel.runSegmented(table, count, a, 0, b, 0, ldb,
                        nr, c, 0, ldc, nr, sc, scaleOff + 1, bi, biasOff, res, lo, hi));
            }
            if (act == GemmKernel.Activation.PRELU) {
                assertThrows(IndexOutOfBoundsException.class, () -> kernel.runSegmented(table, count, a, 0, b, 0, ldb,
                        nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo, hi, sl, slopeOff + 1));
            }
            if (residual) {
                float[] shortRes = java.util.Arrays.copyOf(res, (mr - 1) * ldc + (count - 1) * nr + nr - 1);
                assertThrows(IndexOutOfBoundsException.class, () -> kernel.runSegmented(table, count, a, 0, b, 0, ldb,
                        nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, shortRes, lo, hi));
            }
            // A table without the second panel's offsets is refused by a two-panel kernel, and the other way round.
            GemmKernel.Segments other = new GemmKernel.Segments(aOff, two ? null : aOff, bOff, len, PANEL, ldb);
            if (isa == Jit.Isa.AVX512) {
                assertThrows(IllegalArgumentException.class, () -> kernel.runSegmented(other, count, a, 0, b, 0, ldb,
                        nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo, hi));
            }
            // A too short for the second panel's segments: refused before the call.
            if (two) {
                int maxA = 0;
                for (int s = 0; s < segs; s++) {
                    maxA = Math.max(maxA, aSecond[s] + len[s] * PANEL);
                }
                float[] shortA = java.util.Arrays.copyOf(a, maxA - 1);
                boolean firstFits = true;
                for (int s = 0; s < segs; s++) {
                    firstFits &= aOff[s] + len[s] * PANEL <= shortA.length;
                }
                if (firstFits) {
                    assertThrows(IndexOutOfBoundsException.class, () -> kernel.runSegmented(table, count, shortA, 0,
                            b, 0, ldb, nr, c, 0, ldc, nr, sc, scaleOff, bi, biasOff, res, lo, hi));
                }
            }
        }
    }

    /** The activations without exp, as PostOps computes them (lo: clamp's min, leaky ReLU's or PReLU's slope). */
    private static float activate(GemmKernel.Activation act, float v, float lo, float hi) {
        return switch (act) {
            case RELU -> Math.max(v, 0f);
            case CLAMP -> Math.min(Math.max(v, lo), hi);
            case LEAKY_RELU, PRELU -> v < 0 ? v * lo : v;
            case HSWISH -> v * Math.min(Math.max(v + 3f, 0f), 6f) * (1f / 6f);
            default -> v;
        };
    }

    private static float[] values(Random rnd, int n, boolean ints) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ints ? rnd.nextInt(256) - 128 : rnd.nextFloat() * 2 - 1;
        }
        return v;
    }
}
