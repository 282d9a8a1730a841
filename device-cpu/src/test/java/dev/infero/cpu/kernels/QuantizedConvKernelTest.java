package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The INT8 convolution's accumulators equal a long-integer reference exactly: activation codes 0..255 (unsigned) or
 * −128..127 (signed, zero point 128), weight codes −127..127, random geometries with odd sizes, padding, strides,
 * dilations, groups and batches, and depths up to 18,432 with extreme codes whose sums pass 2^24 (int32 sums), on every
 * convolution strategy, quantizing the input itself or reading codes the layer before wrote.
 */
class QuantizedConvKernelTest {
    @ParameterizedTest(name = "n{0} c{1} {2}x{3} -> {4} k{5}x{6} s{7} d{8} p{9} g{10} signed {11} extreme {12}: {13}")
    // Geometries chosen so the strategy is the same at every vector width (4, 8 or 16 float lanes).
    @CsvSource({
            "1, 3, 29, 31, 7, 3, 3, 1, 1, 1, 1, false, false, direct",
            "2, 6, 9, 11, 6, 3, 3, 2, 1, 1, 2, true, false, im2col_gemm",
            "1, 5, 13, 7, 13, 1, 1, 1, 1, 0, 1, true, false, gemm_1x1",
            "1, 8, 10, 10, 3, 1, 1, 2, 1, 0, 1, false, false, im2col_gemm",
            "1, 4, 12, 9, 8, 5, 3, 2, 1, 2, 4, false, false, im2col_gemm",
            "2, 3, 15, 14, 3, 3, 3, 1, 2, 2, 1, true, false, im2col_gemm",
            "1, 40, 30, 30, 10, 3, 3, 1, 1, 1, 1, false, false, shifted_gemm",
            "1, 64, 6, 5, 16, 3, 3, 1, 1, 1, 1, true, false, channel_lanes_gemm",
            "1, 512, 6, 5, 3, 3, 3, 1, 1, 1, 1, false, true, im2col_gemm_int32",
            "1, 512, 5, 6, 3, 3, 3, 1, 1, 1, 1, true, true, im2col_gemm_int32",
            "1, 512, 6, 5, 16, 3, 3, 1, 1, 1, 1, false, true, channel_lanes_gemm_int32",
            "1, 128, 30, 30, 10, 3, 3, 1, 1, 1, 1, false, true, shifted_gemm_int32",
            "1, 2048, 3, 3, 256, 1, 1, 1, 1, 0, 1, true, true, channel_lanes_gemm_int32",
            "1, 1000, 4, 7, 13, 1, 1, 1, 1, 0, 1, false, true, gemm_1x1_int32",
            "2, 512, 5, 6, 3, 3, 3, 1, 1, 1, 1, false, true, im2col_gemm_int32",
            "1, 1024, 4, 5, 6, 3, 3, 1, 1, 1, 2, true, true, im2col_gemm_int32",
    })
    void accumulatorsAreExactIntegers(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int dilation,
                                      int pad, int groups, boolean signed, boolean extreme, String strategy) {
        ConvGeometry g = KernelProperties.geometry(n, cin, h, w, cout, kh, kw, stride, dilation, pad, groups);
        Random r = new Random(cin * 31L + cout + (signed ? 7 : 0));
        ActivationQuantizer q = signed ? KernelProperties.SIGNED : KernelProperties.UNSIGNED;
        // Integer values: each is its own code, so the same tensor serves as values and as codes.
        float[] x = KernelProperties.activationCodes(r, n * cin * h * w, signed, extreme);
        float[] wq = KernelProperties.weightCodes(r, cout * g.patchSize(), -127, extreme);
        QuantizedConvKernel kernel = new QuantizedConvKernel(g, wq, q, PostOps.NONE);
        assertEquals(extreme, kernel.spills(), "int32 sums are used exactly when a sum can reach 2^24");
        // The direct kernel is generated code: with the JIT off (INFERO_JIT=off) its layer runs as im2col.
        assertEquals(strategy.equals("direct") && dev.infero.cpu.jit.Jit.isa("direct") == null ? "im2col_gemm"
                : strategy, kernel.strategy());
        long[] expected = reference(g, x, wq);
        boolean beyond = false;
        for (long e : expected) {
            beyond |= Math.abs(e) >= 1 << 24;
        }
        assertEquals(extreme, beyond, "the extreme cases produce sums past 2^24");
        try (WorkerPool pool = new WorkerPool(2, "t")) {
            for (QuantizedConvKernel k : new QuantizedConvKernel[] {kernel, kernel.readingCodes()}) {
                float[] out = new float[n * cout * g.outH() * g.outW()];
                k.run(x, out, null, k.newScratch(2), pool);
                for (int i = 0; i < out.length; i++) {
                    assertEquals((float) expected[i], out[i], "output " + i + (k == kernel ? "" : " reading codes"));
                }
            }
        }
    }

    @Test
    void quantizesAsTheFakeQuantizeOpRoundsExceptNearTies() {
        Random r = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            float low = -r.nextFloat() * 3;
            float high = -low * 127 / 128;
            ActivationQuantizer q = ActivationQuantizer.of(low, high, 256);
            assertNotNull(q, "signed symmetric ranges have the integer zero point 128");
            assertEquals(128, q.zeroPoint());
            float[] x = new float[67];
            for (int i = 0; i < x.length; i++) {
                // Half of them just around the mid-points between levels, where the rounding could go either way.
                float level = r.nextInt(256) + (i % 2 == 0 ? 0.5f : r.nextFloat());
                x[i] = low + level / 255 * (high - low) + (r.nextFloat() - 0.5f) * 1e-6f * (high - low);
            }
            x[0] = low;
            x[1] = high;
            x[2] = high * 2;
            x[3] = 0f;
            x[4] = low * 1e6f;
            float[] codes = new float[x.length];
            q.quantize(x, 0, codes, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                float scaled = (x[i] - low) / (high - low) * 255;
                float op = x[i] <= low ? 0 : x[i] > high ? 255 : (float) Math.rint(scaled);
                boolean nearTie = Math.abs(scaled - Math.floor(scaled) - 0.5f) < 1e-3f;
                assertEquals(op - 128, codes[i], nearTie ? 1 : 0, "x = " + x[i]);
            }
            assertEquals(0f, codes[3], "the value 0 is code 0");
        }
    }

    @Test
    void aRowsTailQuantizesExactlyAsItsVectorLanes() {
        Random r = new Random(5);
        ActivationQuantizer q = ActivationQuantizer.of(-1.5f, 1.5f * 127 / 128, 256);
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (r.nextFloat() - 0.5f) * 4;
        }
        x[1] = Float.NaN;
        x[2] = -Float.NaN;
        x[3] = Float.POSITIVE_INFINITY;
        float[] whole = new float[x.length];
        q.quantize(x, 0, whole, 0, x.length);
        for (int n = 1; n < 20; n++) {
            // Rows of n values: beyond the whole vectors, each row's last values take a masked vector.
            float[] rows = new float[x.length];
            q.quantize(x, 0, n, rows, 0, n, x.length / n, n);
            for (int i = 0; i < x.length / n * n; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(rows[i]), "row " + n + ", " + i);
            }
        }
    }

    @Test
    void aQuantizerAddingABiasGivesTheCodesOfTheSum() {
        Random r = new Random(8);
        ActivationQuantizer q = ActivationQuantizer.of(0f, 6f, 256);
        for (float bias : new float[] {0f, 0.37f, -1.9f, 5.5f}) {
            ActivationQuantizer biased = q.adding(bias);
            float[] x = new float[100];
            float[] sum = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat() * 8 - 1;
                sum[i] = x[i] + bias;
            }
            float[] got = new float[x.length];
            float[] want = new float[x.length];
            biased.quantize(x, 0, got, 0, x.length);
            q.quantize(sum, 0, want, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                // The same level, or the neighbour for a sum within ulps of a rounding boundary.
                assertEquals(want[i], got[i], Math.abs(sum[i] / 6 * 255 % 1 - 0.5f) < 1e-3f ? 1 : 0, "x = " + x[i]);
            }
        }
    }

    @Test
    void onlyIntegerZeroPointsQuantize() {
        assertEquals(0, ActivationQuantizer.of(0f, 6f, 256).zeroPoint());
        assertNull(ActivationQuantizer.of(-0.3f, 1.7f, 256), "zero point 38.25");
        assertFalse(ActivationQuantizer.of(0f, 6f, 256).maxAbsCode() > 255);
        assertTrue(ActivationQuantizer.of(-1f, 1f * 127 / 128, 256).maxAbsCode() == 128);
    }

    static long[] reference(ConvGeometry g, float[] x, float[] w) {
        int cinG = g.inChannelsPerGroup();
        int coutG = g.outChannelsPerGroup();
        long[] out = new long[g.batch() * g.outChannels() * g.outH() * g.outW()];
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                int grp = co / coutG;
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        long sum = 0;
                        for (int ci = 0; ci < cinG; ci++) {
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (iy < 0 || iy >= g.inH() || ix < 0 || ix >= g.inW()) {
                                        continue;
                                    }
                                    int c = grp * cinG + ci;
                                    long a = (long) x[((n * g.inChannels() + c) * g.inH() + iy) * g.inW() + ix];
                                    long wv = (long) w[((co * cinG + ci) * g.kernelH() + ky) * g.kernelW() + kx];
                                    sum += a * wv;
                                }
                            }
                        }
                        out[((n * g.outChannels() + co) * g.outH() + oy) * g.outW() + ox] = sum;
                    }
                }
            }
        }
        return out;
    }
}
