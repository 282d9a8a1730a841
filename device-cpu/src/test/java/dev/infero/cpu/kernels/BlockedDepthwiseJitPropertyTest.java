package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The channel-blocked depthwise convolution ({@link BlockedDepthwise} over generated code) for each ISA this machine
 * runs, against the NCHW Vector API kernel ({@link WindowKernel} with the JIT off) with the reorders on the test's
 * side: kernels 1–7 square and not, strides 1–3 per axis, dilations 1–2, padding 0 to beyond the kernel per side
 * (asymmetric), tiny, odd and wide planes, channels not a multiple of 16, batch 1–2 by offsets (the images at odd
 * offsets), every post-op (residual included), items in shuffled order or claimed by two threads at once.
 */
class BlockedDepthwiseJitPropertyTest {
    static ConvGeometry geometry(Random r) {
        return KernelProperties.depthwiseGeometry(r, 8, 50, 90, false, q -> 1 + q.nextInt(q.nextBoolean() ? 40 : 70));
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void blockedDepthwiseMatchesTheNchwKernel(Jit.Isa isa) {
        KernelProperties.trials(isa, 8080, 300, (r, trial) -> {
            ConvGeometry g = geometry(r);
            int c = g.inChannels();
            float[] in = RandomData.uniform(r, g.batch() * c * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, c * g.kernelH() * g.kernelW());
            PostOps post = KernelProperties.randomPostOps(r, c);
            float[] residual = post.hasResidual() ? RandomData.uniform(r, g.batch() * c * g.outH() * g.outW()) : null;
            float[] expected = new float[g.batch() * c * g.outH() * g.outW()];
            WindowKernel reference = WindowKernel.depthwise(g, wts, post, null);
            try (WorkerPool pool = new WorkerPool(1, "t")) {
                reference.run(in, expected, residual, reference.newScratch(1), pool);
            }
            BlockedDepthwise blocked = BlockedDepthwise.of(g, wts, post, isa);
            assertNotNull(blocked, g.toString());
            assertEquals("jit_" + isa.label(), blocked.implementation());
            float[] actual = runBlocked(r, blocked, g, in, residual, trial % 5 == 0);
            for (int i = 0; i < expected.length; i++) {
                int at = i;
                assertEquals(expected[i], actual[i], 2e-6f * (1 + Math.abs(expected[i])),
                        () -> "trial " + trial + " " + g + " " + post.describe() + " at " + at);
            }
        });
    }

    /**
     * {@code blocked} on the NCHW batch {@code in}, reordered on the test's side: each image's blocked input,
     * residual and output at their own offsets in one array; the output first computed from other values, then set
     * to NaN, so that nothing a call leaves behind reaches the next and no output stays unwritten. Items in shuffled
     * order, or claimed by two threads. Padded output lanes must come out finite.
     */
    static float[] runBlocked(Random r, BlockedDepthwise blocked, ConvGeometry g, float[] in, float[] residual,
                              boolean twoThreads) {
        int c = g.inChannels();
        int inImage = BlockedReorder.blockedSize(c, g.inH(), g.inW());
        int outImage = BlockedReorder.blockedSize(c, g.outH(), g.outW());
        int inLead = r.nextInt(40);
        int outLead = r.nextInt(40);
        float[] inB = RandomData.uniform(r, inLead + g.batch() * inImage + r.nextInt(3));
        float[] other = inB.clone();
        float[] resB = residual == null ? null : RandomData.uniform(r, outLead + g.batch() * outImage);
        float[] outB = new float[outLead + g.batch() * outImage + r.nextInt(3)];
        for (int n = 0; n < g.batch(); n++) {
            // Padded input lanes hold finite values nobody may depend on: random ones here.
            BlockedReorder.toBlocked(in, n * c * g.inH() * g.inW(), inB, inLead + n * inImage, c, g.inH(), g.inW());
            fillPaddedLanes(r, inB, inLead + n * inImage, c, g.inH() * g.inW());
            if (residual != null) {
                BlockedReorder.toBlocked(residual, n * c * g.outH() * g.outW(), resB, outLead + n * outImage, c,
                        g.outH(), g.outW());
            }
        }
        runAll(r, blocked, g, other, inLead, inImage, outB, outLead, outImage, resB, false);
        Arrays.fill(outB, Float.NaN);
        runAll(r, blocked, g, inB, inLead, inImage, outB, outLead, outImage, resB, twoThreads);
        float[] out = new float[g.batch() * c * g.outH() * g.outW()];
        for (int n = 0; n < g.batch(); n++) {
            int base = outLead + n * outImage;
            BlockedReorder.fromBlocked(outB, base, out, n * c * g.outH() * g.outW(), c, g.outH(), g.outW());
            for (int i = 0; i < outImage; i++) {
                assertTrue(Float.isFinite(outB[base + i]) || i / 16 % (g.outH() * g.outW()) >= 0
                        && i % 16 + i / (16 * g.outH() * g.outW()) * 16 < c, "padded lane not finite at " + i);
            }
        }
        return out;
    }

    static void fillPaddedLanes(Random r, float[] blocked, int off, int c, int pixels) {
        if (c % 16 == 0) {
            return;
        }
        int last = off + (c / 16) * pixels * 16;
        for (int p = 0; p < pixels; p++) {
            for (int l = c % 16; l < 16; l++) {
                blocked[last + p * 16 + l] = r.nextFloat() * 4 - 2;
            }
        }
    }

    private static void runAll(Random r, BlockedDepthwise blocked, ConvGeometry g, float[] in, int inLead,
                               int inImage, float[] out, int outLead, int outImage, float[] res, boolean twoThreads) {
        for (int n = 0; n < g.batch(); n++) {
            int inOff = inLead + n * inImage;
            int outOff = outLead + n * outImage;
            int[] order = KernelPropertiesShuffle.order(r, blocked.items());
            if (!twoThreads) {
                for (int item : order) {
                    blocked.runItem(in, inOff, out, outOff, res, item);
                }
                continue;
            }
            AtomicInteger next = new AtomicInteger();
            Runnable worker = () -> {
                for (int i; (i = next.getAndIncrement()) < order.length; ) {
                    blocked.runItem(in, inOff, out, outOff, res, order[i]);
                }
            };
            Thread t = Thread.ofPlatform().start(worker);
            worker.run();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        Random r = KernelProperties.random(isa, 3);
        ConvGeometry g = KernelProperties.geometry(1, 20, 9, 13, 20, 3, 3, 1, 1, 1, 20);
        PostOps post = new PostOps(null, true, PostOps.Activation.RELU, 0, 0);
        BlockedDepthwise b = BlockedDepthwise.of(g, RandomData.uniform(r, 20 * 9), post, isa);
        int inSize = BlockedReorder.blockedSize(20, 9, 13);
        int outSize = BlockedReorder.blockedSize(20, g.outH(), g.outW());
        float[] in = new float[inSize];
        float[] out = new float[outSize];
        float[] res = new float[outSize];
        for (int item = 0; item < b.items(); item++) {
            b.runItem(in, 0, out, 0, res, item);
            int i = item;
            assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(new float[inSize - 1], 0, out, 0, res, i));
            assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(in, 1, out, 0, res, i));
            assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(in, 0, new float[outSize - 1], 0, res, i));
            assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(in, 0, out, 1, res, i));
            assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(in, 0, out, 0, new float[outSize - 1], i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> b.runItem(in, 0, out, 0, res, b.items()));
        assertThrows(IllegalArgumentException.class, () -> b.runItem(in, 0, out, 0, null, 0));
    }

    /** {@code -Dinfero.jit.blocked=off} switches the family off: no blocked depthwise, pooling on the Vector API. */
    @Test
    void blockedFamilySwitch() {
        ConvGeometry g = KernelProperties.geometry(1, 32, 20, 20, 32, 3, 3, 1, 1, 1, 32);
        String before = System.getProperty("infero.jit.blocked");
        try {
            System.setProperty("infero.jit.blocked", "off");
            assertNull(BlockedDepthwise.of(g, new float[32 * 9], PostOps.NONE));
            assertEquals("vector" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                    BlockedPool.max(g).implementation());
        } finally {
            if (before == null) {
                System.clearProperty("infero.jit.blocked");
            } else {
                System.setProperty("infero.jit.blocked", before);
            }
        }
        if (Jit.isa("blocked") != null) {
            assertEquals("jit_" + Jit.isa("blocked").label(), BlockedDepthwise.of(g, new float[32 * 9],
                    PostOps.NONE).implementation());
        }
    }

    @Test
    void coversOnlyWhatItGenerates() {
        ConvGeometry g = KernelProperties.geometry(1, 32, 20, 20, 32, 3, 3, 1, 1, 1, 32);
        float[] w = new float[32 * 9];
        assertNull(BlockedDepthwise.of(g, w, PostOps.NONE, null));
        ConvGeometry dense = KernelProperties.geometry(1, 32, 20, 20, 32, 3, 3, 1, 1, 1, 1);
        assertNull(BlockedDepthwise.of(dense, new float[32 * 32 * 9], PostOps.NONE, Jit.Isa.AVX2));
        PostOps codes = PostOps.NONE.withIntegerSums();
        assertNull(BlockedDepthwise.of(g, w, codes, Jit.Isa.AVX2));
    }
}
