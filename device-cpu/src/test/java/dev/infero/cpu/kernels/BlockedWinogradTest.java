package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.BlockedConvKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The blocked Winograd F(4×4, 3×3) convolution ({@link BlockedWinograd}, its products on the generated 1×1 tiles of
 * each ISA this machine runs) against a plain NCHW loop in double with {@link PostOps#apply}: planes from 1×1 to
 * 40×40 (edge tiles cropped, several items), padding 0–2 per side, channels not multiples of 16 (padded input lanes
 * hold large values, which must not matter), batch 2 through the offsets, every activation it takes with and without
 * residual, scale and bias; items in shuffled order on one thread or two at once, each with its own scratch, first
 * on other values with the output then set to NaN. The error bound is relative to the output's magnitude plus
 * {@code Σ_c Σ|w_c| · max|x_c|} over its tile's 6×6 input patch (the transforms mix the whole patch, so an output
 * near zero among large neighbours has the error of their scale).
 */
class BlockedWinogradTest {
    private static final int B = BlockedConvKernel.BLOCK;
    private static final PostOps.Activation[] ACTS = PostOps.Activation.values();
    /**
     * Largest error measured over these trials relative to the magnitude (see the class comment): 2.3e-6
     * (AVX-512), 1.9e-6 (AVX2), about 20 units of float rounding: F(4×4)'s transforms multiply by up to 8 and 5.
     */
    private static final double TOLERANCE = 1e-5;

    private static ConvGeometry geometry(Random r) {
        int h = 1 + r.nextInt(r.nextBoolean() ? 12 : 40);
        int w = 1 + r.nextInt(r.nextBoolean() ? 12 : 40);
        int pt = r.nextInt(3);
        int pl = r.nextInt(3);
        int pb = r.nextInt(3);
        int pr = r.nextInt(3);
        int oh = h + pt + pb - 2;
        int ow = w + pl + pr - 2;
        if (oh < 1 || ow < 1) {
            return geometry(r);
        }
        int cin = r.nextInt(4) == 0 ? 16 * (1 + r.nextInt(4)) : 1 + r.nextInt(70);
        int cout = r.nextInt(4) == 0 ? 16 * (1 + r.nextInt(5)) : 1 + r.nextInt(70);
        return new ConvGeometry(2, cin, h, w, cout, oh, ow, 3, 3, 1, 1, 1, 1, pt, pl, 1);
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void matchesTheNchwLoop(Jit.Isa isa) {
        double[] worst = new double[1];
        KernelProperties.trials(isa, 4343, 160, (r, trial) -> {
            ConvGeometry g = geometry(r);
            PostOps post = KernelProperties.randomPostOps(r, g.outChannels(), ACTS[trial % ACTS.length],
                    trial % 3 == 0);
            int inOff = r.nextInt(3) * 5;
            int outOff = r.nextInt(3) * 7;
            float[] wts = RandomData.uniform(r, g.outChannels() * g.inChannels() * 9);
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            int outPlane = g.outH() * g.outW();
            float[] res = RandomData.uniform(r, g.batch() * g.outChannels() * outPlane);
            double[] magnitude = new double[g.batch() * g.outChannels() * outPlane];
            float[] expected = reference(g, in, wts, post, res, magnitude);
            BlockedWinograd k = BlockedWinograd.of(g, wts, post, isa);
            assertNotNull(k, () -> "not taken: " + g + " " + post.describe());
            assertEquals("jit_" + isa.label(), k.implementation());
            float[] kin = KernelProperties.blockedImages(in, g.batch(), g.inChannels(), g.inH() * g.inW(), inOff, r);
            float[] kres = KernelProperties.blockedImages(res, g.batch(), g.outChannels(), outPlane, outOff, r);
            int cbo = (g.outChannels() + B - 1) / B;
            float[] out = new float[outOff + g.batch() * cbo * outPlane * B];
            runAll(k, g, RandomData.uniform(r, kin.length), inOff, out, outOff, RandomData.uniform(r, kres.length),
                    r);
            Arrays.fill(out, Float.NaN);
            runAll(k, g, kin, inOff, out, outOff, kres, r);
            float[] scale = post.jitScale();
            for (int n = 0; n < g.batch(); n++) {
                for (int c = 0; c < g.outChannels(); c++) {
                    double sc = scale == null ? 1 : Math.abs(scale[c]);
                    for (int p = 0; p < outPlane; p++) {
                        int i = (n * g.outChannels() + c) * outPlane + p;
                        float e = expected[i];
                        float a = out[outOff + ((n * cbo + c / B) * outPlane + p) * B + c % B];
                        // The residual, bias and the activation's rounding are on |e|'s scale.
                        double bound = sc * magnitude[i] + Math.abs(e);
                        worst[0] = Math.max(worst[0], Math.abs(a - e) / Math.max(bound, Float.MIN_NORMAL));
                        int at = p;
                        int ch = c;
                        int img = n;
                        assertEquals(e, a, TOLERANCE * bound, () -> "trial " + trial + " "
                                + g + " " + post.describe() + " " + k + " image " + img + " channel " + ch + " at "
                                + at);
                    }
                }
            }
        });
        System.out.printf("BlockedWinograd %s: largest error / magnitude %.3g%n", isa, worst[0]);
    }

    @Test
    void takesOnly3x3Stride1FloatLayers() {
        PostOps none = PostOps.NONE;
        ConvGeometry ok = new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertTrue(BlockedWinograd.fits(ok, none, true));
        assertFalse(BlockedWinograd.fits(ok, none, false));
        assertFalse(BlockedWinograd.fits(new ConvGeometry(1, 64, 56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1), none,
                true));
        assertFalse(BlockedWinograd.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 2, 2, 2, 2, 1), none,
                true));
        assertFalse(BlockedWinograd.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 5, 5, 1, 1, 1, 1, 2, 2, 1), none,
                true));
        assertTrue(BlockedWinograd.fits(ok, new PostOps(null, false, PostOps.Activation.SWISH, 1, 0), true));
        assertFalse(BlockedWinograd.fits(ok, none.withIntegerSums(), true));
        assertTrue(BlockedWinograd.fits(ok, new PostOps(null, true, PostOps.Activation.CLAMP, 0, 6), true));
    }

    /** The cost rule on the layers it was measured on (BlockedWinograd.pays: gains and losses in whole models). */
    @Test
    void costRuleTakesTheLayersThatGainedInModels() {
        assertTrue(BlockedWinograd.pays(same(64, 56, 64)));
        assertTrue(BlockedWinograd.pays(same(128, 28, 128)));
        assertTrue(BlockedWinograd.pays(same(32, 27, 128)));
        assertTrue(BlockedWinograd.pays(same(256, 14, 256)));
        assertTrue(BlockedWinograd.pays(same(64, 20, 128)));
        assertTrue(BlockedWinograd.pays(same(64, 13, 256)));
        // Four tiles for two items; U of 21 MB.
        assertFalse(BlockedWinograd.pays(same(512, 7, 512)));
        assertFalse(BlockedWinograd.pays(same(64, 7, 64)));
        assertFalse(BlockedWinograd.pays(same(384, 14, 384)));
        // Fewer than 16 channels, or one item (a second thread would idle).
        assertFalse(BlockedWinograd.pays(same(8, 56, 64)));
        assertFalse(BlockedWinograd.pays(same(64, 6, 64)));
    }

    /** A 3×3 stride-1 "same" layer of {@code cin} channels on {@code hw}×{@code hw} to {@code cout}. */
    private static ConvGeometry same(int cin, int hw, int cout) {
        return new ConvGeometry(1, cin, hw, hw, cout, hw, hw, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        ConvGeometry g = new ConvGeometry(1, 20, 9, 9, 20, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        BlockedWinograd k = BlockedWinograd.of(g, new float[20 * 20 * 9], PostOps.NONE, isa);
        BlockedWinograd.Scratch s = k.newScratch();
        int size = 2 * B * 81;
        k.runItem(new float[size], 0, new float[size], 0, null, 0, s);
        assertThrows(IndexOutOfBoundsException.class, () -> k.runItem(new float[size - 1], 0, new float[size], 0,
                null, 0, s));
        assertThrows(IndexOutOfBoundsException.class, () -> k.runItem(new float[size], 1, new float[size], 0, null,
                0, s));
        assertThrows(IndexOutOfBoundsException.class, () -> k.runItem(new float[size], 0, new float[size], -1, null,
                0, s));
        assertThrows(IndexOutOfBoundsException.class, () -> k.runItem(new float[size], 0, new float[size], 0, null,
                k.items(), s));
        // Work arrays inside a shared buffer at an offset compute what arrays of their own do; short buffers refused.
        java.util.Random r = new java.util.Random(3);
        BlockedWinograd real = BlockedWinograd.of(g, RandomData.uniform(r, 20 * 20 * 9), PostOps.NONE, isa);
        float[] in = RandomData.uniform(r, size);
        float[] own = new float[size];
        float[] inBuffer = new float[size];
        float[] buffer = new float[7 + real.scratchFloats() + 5];
        java.util.Arrays.fill(buffer, Float.NaN);
        for (int i = 0; i < real.items(); i++) {
            real.runItem(in, 0, own, 0, null, i, real.newScratch());
            real.runItem(in, 0, inBuffer, 0, null, i, real.scratchIn(buffer, 7));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(own, inBuffer);
        assertThrows(IndexOutOfBoundsException.class, () -> real.scratchIn(buffer, 13));
        assertThrows(IndexOutOfBoundsException.class, () -> real.scratchIn(buffer, -1));
        BlockedWinograd withResidual = BlockedWinograd.of(g, new float[20 * 20 * 9],
                new PostOps(null, true, PostOps.Activation.NONE, 0, 0), isa);
        assertThrows(IllegalArgumentException.class, () -> withResidual.runItem(new float[size], 0, new float[size],
                0, null, 0, withResidual.newScratch()));
        assertThrows(IndexOutOfBoundsException.class, () -> withResidual.runItem(new float[size], 0, new float[size],
                0, new float[size - 1], 0, withResidual.newScratch()));
    }

    /**
     * The NCHW convolution in double, the post-ops per channel plane; {@code magnitude} gets, per output,
     * {@code Σ_c Σ|w_c| · max|x_c|} over the 6×6 input patch of its tile.
     */
    private static float[] reference(ConvGeometry g, float[] in, float[] wts, PostOps post, float[] residual,
                                     double[] magnitude) {
        int ci = g.inChannels();
        int co = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] out = new float[g.batch() * co * plane];
        for (int n = 0; n < g.batch(); n++) {
            for (int c = 0; c < co; c++) {
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double s = 0;
                        double m = 0;
                        for (int i = 0; i < ci; i++) {
                            double wSum = 0;
                            for (int ky = 0; ky < 3; ky++) {
                                int iy = y - g.padTop() + ky;
                                for (int kx = 0; kx < 3; kx++) {
                                    int ix = x - g.padLeft() + kx;
                                    double wv = wts[((c * ci + i) * 3 + ky) * 3 + kx];
                                    wSum += Math.abs(wv);
                                    if (iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW()) {
                                        s += (double) in[((n * ci + i) * g.inH() + iy) * g.inW() + ix] * wv;
                                    }
                                }
                            }
                            // The transforms mix the whole 6×6 input patch of the output's tile.
                            double most = 0;
                            for (int py = 0; py < 6; py++) {
                                int iy = y / 4 * 4 - g.padTop() + py;
                                for (int px = 0; px < 6; px++) {
                                    int ix = x / 4 * 4 - g.padLeft() + px;
                                    if (iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW()) {
                                        most = Math.max(most, Math.abs(in[((n * ci + i) * g.inH() + iy) * g.inW()
                                                + ix]));
                                    }
                                }
                            }
                            m += wSum * most;
                        }
                        out[(n * co + c) * plane + y * g.outW() + x] = (float) s;
                        magnitude[(n * co + c) * plane + y * g.outW() + x] = m;
                    }
                }
                post.apply(out, (n * co + c) * plane, plane, c, residual);
            }
        }
        return out;
    }


    private static void runAll(BlockedWinograd k, ConvGeometry g, float[] in, int inOff, float[] out, int outOff,
                               float[] res, Random r) {
        int inImage = (g.inChannels() + B - 1) / B * B * g.inH() * g.inW();
        int outImage = (g.outChannels() + B - 1) / B * B * g.outH() * g.outW();
        List<int[]> work = new ArrayList<>();
        for (int n = 0; n < g.batch(); n++) {
            for (int i = 0; i < k.items(); i++) {
                work.add(new int[] {n, i});
            }
        }
        Collections.shuffle(work, r);
        if (r.nextBoolean()) {
            BlockedWinograd.Scratch s = k.newScratch();
            for (int[] w : work) {
                k.runItem(in, inOff + w[0] * inImage, out, outOff + w[0] * outImage, res, w[1], s);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            BlockedWinograd.Scratch s = k.newScratch();
            for (int i = next.getAndIncrement(); i < work.size(); i = next.getAndIncrement()) {
                int[] w = work.get(i);
                k.runItem(in, inOff + w[0] * inImage, out, outOff + w[0] * outImage, res, w[1], s);
            }
        };
        Thread other = Thread.ofPlatform().start(worker);
        worker.run();
        try {
            other.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
