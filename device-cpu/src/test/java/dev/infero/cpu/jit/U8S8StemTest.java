package dev.infero.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.kernels.U8S8Stem;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Few-channel stems in the quads-over-taps layout ({@link U8S8Conv#overTaps}, {@link U8S8Stem}) against the
 * channel-quad layout and the Vector API INT8 kernel, bit for bit, on random stem shapes: 1–3 input channels, kernels
 * 1–7 (square and not), strides 1–4, padding (also asymmetric, and wider than the kernel reach), dilation, odd sizes,
 * batch 1–3, 1 and 2 threads, values or codes in, codes out, every fused epilogue with and without a residual. The
 * plain-Java tiles run everywhere (also with {@code INFERO_JIT=off}); the generated ones in both forms where the CPU
 * runs them.
 */
class U8S8StemTest {
    @ParameterizedTest
    @EnumSource(U8S8Conv.Form.class)
    void javaTilesOverTapsEqualChannelQuadsAndTheVectorKernel(U8S8Conv.Form form) {
        check(form, false, form == U8S8Conv.Form.U8_QUADS ? 31 : 32);
    }

    @ParameterizedTest
    @EnumSource(U8S8Conv.Form.class)
    void generatedTilesOverTapsEqualChannelQuadsAndTheVectorKernel(U8S8Conv.Form form) {
        boolean vnni = form == U8S8Conv.Form.U8_QUADS;
        assumeTrue(Jit.isa() != null, "JIT off or unsupported here");
        assumeTrue(vnni ? Jit.Isa.AVX512.supported() && CpuFeatures.host().avx512vnni() : Jit.Isa.AVX2.supported(),
                "the CPU cannot run " + form);
        check(form, true, vnni ? 41 : 42);
    }

    private static void check(U8S8Conv.Form form, boolean generated, long seed) {
        Random r = new Random(seed);
        int checked = 0;
        try (WorkerPool one = new WorkerPool(1, "t1"); WorkerPool two = new WorkerPool(2, "t2")) {
            for (int trial = 0; trial < 80; trial++) {
                int kh = 1 + r.nextInt(trial % 4 == 0 ? 7 : 3);
                int kw = trial % 5 == 0 ? 1 + r.nextInt(7) : kh;
                int sh = 1 + r.nextInt(trial % 3 == 0 ? 4 : 2);
                int sw = trial % 6 == 0 ? 1 + r.nextInt(4) : sh;
                int dh = 1 + (trial % 7 == 0 ? 1 : 0);
                int dw = 1 + (trial % 7 == 0 ? r.nextInt(2) : 0);
                int cin = 1 + r.nextInt(3);
                int cout = 1 + r.nextInt(trial % 4 == 1 ? 40 : 14);
                int h = kh + r.nextInt(trial % 8 == 0 ? 60 : 25);
                int w = kw + r.nextInt(trial % 6 == 0 ? 150 : 40);
                int pt = r.nextInt(kh + (trial % 9 == 0 ? 2 : 0));
                int pl = r.nextInt(kw + (trial % 9 == 0 ? 2 : 0));
                int pb = trial % 2 == 0 ? pt : r.nextInt(kh);
                int pr = trial % 2 == 0 ? pl : r.nextInt(kw);
                int batch = 1 + r.nextInt(trial % 10 == 0 ? 3 : 2);
                int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
                int ow = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
                if (oh < 1 || ow < 1) {
                    continue;
                }
                ConvGeometry g = new ConvGeometry(batch, cin, h, w, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, 1);
                if (!U8S8Stem.applies(g)) {
                    assertTrue(kh * kw == 1 || g.isDepthwise(), g.toString());
                    continue;
                }
                float low = -r.nextFloat() * 2;
                ActivationQuantizer q = ActivationQuantizer.of(low, -low * 127 / 128 + (trial % 2 == 0 ? 1 : 0), 256);
                if (q == null) {
                    q = ActivationQuantizer.of(0f, 3f, 256);
                }
                float[] x = new float[batch * cin * h * w];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian() * (trial % 9 == 0 ? 100 : 1);
                }
                float[] wq = new float[cout * g.patchSize()];
                for (int i = 0; i < wq.length; i++) {
                    wq[i] = trial % 8 == 0 ? (i % 3 == 0 ? 127 : -128) : r.nextInt(256) - 128;
                }
                float[] scale = new float[cout];
                float[] bias = new float[cout];
                float[] slopes = new float[cout];
                for (int c = 0; c < cout; c++) {
                    scale[c] = 1e-3f * r.nextFloat();
                    bias[c] = r.nextFloat() - 0.5f;
                    slopes[c] = r.nextFloat() - 0.25f;
                }
                boolean residual = trial % 5 >= 3;
                int kind = trial / 2 % 6;
                PostOps post = (switch (kind) {
                    case 0 -> new PostOps(bias, residual, PostOps.Activation.RELU, 0, 0);
                    case 1 -> PostOps.withPerChannelSlopes(bias, residual, slopes);
                    case 2 -> new PostOps(bias, residual, PostOps.Activation.LEAKY_RELU, 0.1f, 0);
                    case 3 -> new PostOps(bias, residual, PostOps.Activation.SIGMOID, 0, 0);
                    case 4 -> new PostOps(bias, residual, PostOps.Activation.SWISH, 1f, 0);
                    default -> new PostOps(bias, residual, PostOps.Activation.NONE, 0, 0);
                }).scaledBy(scale);
                boolean exp = kind == 3 || kind == 4;
                float[] res = null;
                if (residual) {
                    res = new float[batch * cout * oh * ow];
                    for (int i = 0; i < res.length; i++) {
                        res[i] = (float) r.nextGaussian();
                    }
                }
                U8S8Conv channels = new U8S8Conv(g, wq, q, form);
                U8S8Conv taps = U8S8Conv.overTaps(g, wq, q, form);
                assertTrue(taps.overTaps());
                assertFalse(taps.readsQuads());
                QuantizedConvKernel base = new QuantizedConvKernel(g, wq, q, post);
                QuantizedConvKernel want = base.onTiles(channels,
                        generated ? new U8S8ConvTiles(channels) : channels.referenceTiles());
                QuantizedConvKernel got = base.onTiles(taps, generated ? new U8S8ConvTiles(taps) : taps.referenceTiles());
                if (generated) {
                    assertEquals(form == U8S8Conv.Form.U8_QUADS ? "jit_avx512_vnni_taps" : "jit_avx2_taps",
                            got.strategy());
                }
                QuantizedConvKernel vec = base;
                if (trial % 3 == 1) {
                    want = want.readingCodes();
                    got = got.readingCodes();
                    vec = vec.readingCodes();
                    for (int i = 0; i < x.length; i++) {
                        x[i] = q.level(x[i]) - q.zeroPoint();
                    }
                }
                if (trial % 3 == 2) {
                    ActivationQuantizer[] next = new ActivationQuantizer[cout];
                    java.util.Arrays.fill(next, ActivationQuantizer.of(0f, 1f, 256));
                    want = want.writingCodes(next);
                    got = got.writingCodes(next);
                    vec = vec.writingCodes(next);
                }
                WorkerPool pool = trial % 2 == 0 ? one : two;
                float[] expected = new float[batch * cout * oh * ow];
                want.run(x, expected, res, want.newScratch(pool.threads()), pool);
                float[] actual = new float[expected.length];
                java.util.Arrays.fill(actual, Float.NaN);
                QuantizedConvKernel.Scratch s = got.newScratch(pool.threads());
                got.run(x, actual, res, s, pool);
                // Twice on one scratch: nothing left from the first run changes the second.
                got.run(x, actual, res, s, pool);
                float[] vector = new float[expected.length];
                vec.run(x, vector, res, vec.newScratch(pool.threads()), pool);
                for (int i = 0; i < expected.length; i++) {
                    if (exp) {
                        // Sigmoid and swish: the tiles' generated exp (which the Java tiles state) is within 2e-6
                        // relative of the Vector API's, which the post-ops apply where the tiles do not fuse them (a
                        // residual on a layout that writes through scratch rows; the s16 pair tiles never fuse), and
                        // on a run's scalar tail Math.exp: values within that, codes within one level; where both
                        // layouts fuse, bit for bit.
                        float tolerance = trial % 3 == 2 ? 1f : 4e-6f * (1 + Math.abs(vector[i]));
                        assertEquals(expected[i], actual[i], tolerance,
                                "trial " + trial + " " + g + ": output " + i + " against channel quads");
                        assertEquals(vector[i], actual[i], tolerance,
                                "trial " + trial + " " + g + ": output " + i + " against the Vector API kernel");
                        boolean bothFuse = form == U8S8Conv.Form.U8_QUADS && (!residual || channels.direct());
                        if (bothFuse) {
                            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                                    "trial " + trial + " " + g + ": output " + i + " against channel quads");
                        }
                        continue;
                    }
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                            "trial " + trial + " " + g + ": output " + i + " against channel quads");
                    assertEquals(Float.floatToRawIntBits(vector[i]), Float.floatToRawIntBits(actual[i]),
                            "trial " + trial + " " + g + ": output " + i + " against the Vector API kernel");
                }
                checked++;
            }
        }
        assertTrue(checked > 40, "only " + checked + " stem shapes checked");
    }

    @Test
    void onlyFewChannelStemsTakeTheForm() {
        assertTrue(U8S8Stem.applies(new ConvGeometry(1, 3, 224, 224, 64, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
        assertTrue(U8S8Stem.applies(new ConvGeometry(2, 1, 64, 64, 8, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        // Four channels fill a channel quad; one tap has nothing to gain; groups are not stems.
        assertFalse(U8S8Stem.applies(new ConvGeometry(1, 4, 224, 224, 64, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
        assertFalse(U8S8Stem.applies(new ConvGeometry(1, 3, 224, 224, 64, 224, 224, 1, 1, 1, 1, 1, 1, 0, 0, 1)));
        assertFalse(U8S8Stem.applies(new ConvGeometry(1, 2, 32, 32, 4, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 2)));
        ConvGeometry wide = new ConvGeometry(1, 8, 32, 32, 4, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> U8S8Conv.overTaps(wide, new float[4 * 72], ActivationQuantizer.of(0f, 1f, 256),
                        U8S8Conv.Form.U8_QUADS));
    }
}
