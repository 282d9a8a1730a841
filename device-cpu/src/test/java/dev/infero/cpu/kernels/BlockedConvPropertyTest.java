package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.BlockedConvKernel;
import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.jit.PackedWeights;
import dev.infero.testing.RandomData;
import java.lang.foreign.MemorySegment;
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
 * The generated blocked convolution ({@link BlockedConv} on {@link BlockedConvKernel}) for each ISA this machine
 * runs, against a plain NCHW loop with {@link PostOps#apply}: kernels 1–7 (square and not), strides 1, 2 and
 * sometimes 3–4 per axis, dilations 1–2, padding 0–3 per side (rows and columns wholly in the padding), odd and tiny
 * planes, rows past several register tiles, input and output channels not multiples of 16 (padded input lanes hold
 * large values, which must not matter), blocked and NCHW input, batch 2 through the offsets (and a leading offset),
 * every activation with and without residual, scale and bias, random register tiles; items in shuffled order, on
 * one thread or two at once, first on other values with the output then set to NaN; a quarter of them with the
 * weight prefetch.
 */
class BlockedConvPropertyTest {
    private static final int B = BlockedConvKernel.BLOCK;

    private static ConvGeometry geometry(Random r) {
        int kh = 1 + r.nextInt(7);
        int kw = r.nextInt(3) == 0 ? 1 + r.nextInt(7) : kh;
        int sh = r.nextInt(8) == 0 ? 3 + r.nextInt(2) : 1 + r.nextInt(2);
        int sw = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : sh;
        int dh = r.nextInt(5) == 0 ? 2 : 1;
        int dw = r.nextInt(5) == 0 ? 2 : dh;
        int h = 1 + r.nextInt(r.nextBoolean() ? 8 : 30);
        int w = 1 + r.nextInt(r.nextBoolean() ? 12 : 80);
        int pt = r.nextInt(4);
        int pl = r.nextInt(4);
        int pb = r.nextInt(4);
        int pr = r.nextInt(4);
        int oh = Math.floorDiv(h + pt + pb - dh * (kh - 1) - 1, sh) + 1;
        int ow = Math.floorDiv(w + pl + pr - dw * (kw - 1) - 1, sw) + 1;
        if (oh < 1 || ow < 1) {
            return geometry(r);
        }
        int cin = r.nextInt(4) == 0 ? 16 * (1 + r.nextInt(3)) : 1 + r.nextInt(40);
        int cout = r.nextInt(4) == 0 ? 16 * (1 + r.nextInt(5)) : 1 + r.nextInt(70);
        return new ConvGeometry(2, cin, h, w, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, 1);
    }

    /** The NCHW convolution of image-major {@code in}, double sums, then the post-ops per channel plane. */
    private static float[] reference(ConvGeometry g, float[] in, float[] wts, PostOps post, float[] residual) {
        int ci = g.inChannels();
        int co = g.outChannels();
        int plane = g.outH() * g.outW();
        float[] out = new float[g.batch() * co * plane];
        for (int n = 0; n < g.batch(); n++) {
            for (int c = 0; c < co; c++) {
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double s = 0;
                        for (int i = 0; i < ci; i++) {
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = y * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.inH()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = x * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix >= 0 && ix < g.inW()) {
                                        s += (double) in[((n * ci + i) * g.inH() + iy) * g.inW() + ix]
                                                * wts[((c * ci + i) * g.kernelH() + ky) * g.kernelW() + kx];
                                    }
                                }
                            }
                        }
                        out[(n * co + c) * plane + y * g.outW() + x] = (float) s;
                    }
                }
                post.apply(out, (n * co + c) * plane, plane, c, residual);
            }
        }
        return out;
    }


    private static void runAll(BlockedConv k, ConvGeometry g, boolean inBlocked, float[] in, int inOff, float[] out,
                               int outOff, float[] res, Random r) {
        int inImage = inBlocked ? (g.inChannels() + B - 1) / B * B * g.inH() * g.inW()
                : g.inChannels() * g.inH() * g.inW();
        int outImage = (g.outChannels() + B - 1) / B * B * g.outH() * g.outW();
        List<int[]> work = new ArrayList<>();
        for (int n = 0; n < g.batch(); n++) {
            for (int i = 0; i < k.items(); i++) {
                work.add(new int[] {n, i});
            }
        }
        Collections.shuffle(work, r);
        if (r.nextBoolean()) {
            for (int[] w : work) {
                k.runItem(in, inOff + w[0] * inImage, out, outOff + w[0] * outImage, res, w[1]);
            }
            return;
        }
        // Two threads at once, taking the shuffled items in turn.
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < work.size(); i = next.getAndIncrement()) {
                int[] w = work.get(i);
                k.runItem(in, inOff + w[0] * inImage, out, outOff + w[0] * outImage, res, w[1]);
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

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void blockedConvolutionMatchesTheNchwLoop(Jit.Isa isa) {
        PostOps.Activation[] acts = PostOps.Activation.values();
        int[] covered = new int[3];
        KernelProperties.trials(isa, 5150, 300, (r, trial) -> {
            ConvGeometry g = geometry(r);
            boolean inBlocked = r.nextInt(3) != 0;
            int outOff = r.nextInt(3) * 7;
            int inOff = r.nextInt(3) * 5;
            PostOps post = KernelProperties.randomPostOps(r, g.outChannels(), acts[trial % acts.length],
                    trial % 3 == 0);
            float[] wts = RandomData.uniform(r, g.outChannels() * g.patchSize());
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            int outPlane = g.outH() * g.outW();
            float[] res = RandomData.uniform(r, g.batch() * g.outChannels() * outPlane);
            float[] expected = reference(g, in, wts, post, res);
            // Half the layers on a random register tile of the ISA (ocb ≤ 4 blocks, 1–4 rows, up to the
            // accumulators).
            int cbo0 = (g.outChannels() + B - 1) / B;
            int[] tile = null;
            if (r.nextBoolean()) {
                int ocb = 1 + r.nextInt(Math.min(4, cbo0));
                int ow = 1 + r.nextInt(Math.min(28, g.outW()));
                while (ow > 1 && !BlockedConvKernel.fits(isa, ocb, ow)) {
                    ow--;
                }
                int tr = 1 + r.nextInt(Math.min(4, g.outH()));
                while (tr > 1 && !BlockedConvKernel.fits(isa, ocb, ow * tr)) {
                    tr--;
                }
                // Broadcasting through registers where the tile fits them (AVX-512, 2–4 blocks), half the time.
                boolean regs = BlockedConvKernel.fitsBroadcastRegs(isa, ocb, ow * tr) && r.nextBoolean();
                tile = BlockedConvKernel.fits(isa, ocb, ow * tr) ? new int[] {ocb, ow, tr, regs ? 1 : 0} : null;
            }
            // A quarter with the weight prefetch (the rule's takes layers past 1 MB of weights).
            BlockedConv k = BlockedConv.of(g, wts, post, inBlocked, isa, tile, r.nextInt(4) == 0 ? 4096 : -1);
            assertEquals("jit_" + isa.label(), k.implementation());
            float[] kin = inBlocked
                    ? KernelProperties.blockedImages(in, g.batch(), g.inChannels(), g.inH() * g.inW(), inOff, r) : null;
            if (!inBlocked) {
                kin = new float[inOff + in.length];
                System.arraycopy(in, 0, kin, inOff, in.length);
            }
            float[] kres = KernelProperties.blockedImages(res, g.batch(), g.outChannels(), outPlane, outOff, r);
            int cbo = (g.outChannels() + B - 1) / B;
            float[] out = new float[outOff + g.batch() * cbo * outPlane * B];
            // First on other values, then on the reference's with the output set to NaN.
            runAll(k, g, inBlocked, RandomData.uniform(r, kin.length), inOff, out, outOff,
                    RandomData.uniform(r, kres.length), r);
            Arrays.fill(out, Float.NaN);
            runAll(k, g, inBlocked, kin, inOff, out, outOff, kres, r);
            for (int n = 0; n < g.batch(); n++) {
                for (int c = 0; c < g.outChannels(); c++) {
                    for (int p = 0; p < outPlane; p++) {
                        float e = expected[(n * g.outChannels() + c) * outPlane + p];
                        float a = out[outOff + ((n * cbo + c / B) * outPlane + p) * B + c % B];
                        int at = p;
                        int ch = c;
                        int img = n;
                        assertEquals(e, a, 1e-4f * (1 + Math.abs(e)), () -> "trial " + trial + " " + g + " "
                                + post.describe() + " blocked in " + inBlocked + " " + k + " image " + img
                                + " channel " + ch + " at " + at);
                    }
                }
            }
            covered[inBlocked ? 0 : 1]++;
            covered[2] += k.toString().contains("r items") ? 1 : 0;
        });
        // Blocked and NCHW input; with AVX-512 also tiles broadcasting through registers (the rule's and random).
        assertTrue(covered[0] > 100 && covered[1] > 50 && (!isa.evex() || covered[2] > 50), Arrays.toString(covered));
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        // 20 blocked channels 5×20 → 1 block 5×20, 3×3, padding 1, rows reading kernel rows 0–2.
        int ow = isa == Jit.Isa.AVX512 ? 14 : 6;
        BlockedConvKernel k = new BlockedConvKernel(KernelCache.shared(), new BlockedConvKernel.Key(isa, 1, ow, 1, 1, 4,
                1, 16, 320, 1600, 20, 3, 3, List.of(0, 3), 1, 1, 1, 1, 1, 20, 1600, 0, false, true, true,
                DepthwiseKernel.Activation.RELU, false));
        float[] in = new float[3200];
        // The packed weights as the convolution holds them: aligned native memory.
        int wFloats = BlockedConvKernel.groupFloats(1, 2, 3, 3);
        MemorySegment w = PackedWeights.of(new float[wFloats]);
        assertEquals(0, w.address() % PackedWeights.ALIGNMENT);
        float[] out = new float[1600];
        float[] res = new float[1600];
        // Output rows 1–3 read input rows 0–4 of both blocks; the second block's lanes 0–3 only.
        k.run(in, 0, w, 0, out, 320, res, 3);
        k.run(new float[1600 + 4 * 320 + 19 * 16 + 4], 0, w, 0, out, 320, res, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[1600 + 4 * 320 + 19 * 16 + 3], 0, w, 0,
                out, 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 320, w, 0, out, 320, res, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, -1, w, 0, out, 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, 1, out, 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, -1, out, 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, PackedWeights.of(new float[wFloats - 1]), 0,
                out, 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, 0, out, 321 + 4 * 320, res, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, 0, new float[1279], 320, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, 0, out, 320, new float[1279], 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, 0, out, -1, res, 3));
        // A call of rows that are not whole tiles of rows.
        BlockedConvKernel two = new BlockedConvKernel(KernelCache.shared(), new BlockedConvKernel.Key(isa, 1, 3, 2, 1,
                4, 1, 16, 320, 1600, 20, 3, 3, List.of(0, 3, 0, 3), 1, 1, 1, 1, 1, 20, 1600, 0, false, true, true,
                DepthwiseKernel.Activation.RELU, false));
        two.run(in, 0, w, 0, out, 320, res, 2);
        assertThrows(IllegalArgumentException.class, () -> two.run(in, 0, w, 0, out, 320, res, 3));
        // Through the driver: an image past the arrays.
        ConvGeometry g = new ConvGeometry(1, 20, 5, 20, 16, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        BlockedConv c = BlockedConv.of(g, new float[16 * 20 * 9], PostOps.NONE, true, isa);
        assertThrows(IndexOutOfBoundsException.class, () -> c.runItem(new float[3187], 0, new float[1600], 0, null,
                c.items() - 1));
        c.runItem(new float[3188], 0, new float[1600], 0, null, c.items() - 1);
        assertThrows(IndexOutOfBoundsException.class, () -> c.runItem(new float[3200], 0, new float[1599], 0, null,
                c.items() - 1));
        assertThrows(IndexOutOfBoundsException.class, () -> c.runItem(new float[3200], 0, new float[1600], 0, null,
                c.items()));
    }

    @Test
    void refusesWhatItDoesNotCover() {
        ConvGeometry grouped = new ConvGeometry(1, 32, 8, 8, 32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2);
        assertNull(BlockedConv.of(grouped, new float[32 * 16 * 9], PostOps.NONE, true, Jit.Isa.AVX2));
        ConvGeometry g = new ConvGeometry(1, 16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertNull(BlockedConv.of(g, new float[16 * 16 * 9], PostOps.NONE.withIntegerSums(), true, Jit.Isa.AVX2));
        assertNull(BlockedConv.of(g, new float[16 * 16 * 9], PostOps.NONE, true, null));
    }
}
