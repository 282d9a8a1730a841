package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.jit.Jit;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every convolution strategy and the packed GEMM on the generated micro-kernel, for each ISA this machine runs,
 * against the same kernels on the Vector API micro-kernel: random shapes (odd sizes, column and row tails, padding,
 * strides, dilations, groups, batch 2, 1–2 threads), random post-ops (fused ones and those left to Java), and int32
 * sums on integer codes (exact).
 */
class JitConvPropertyTest {
    /**
     * Kind 0: 1×1 or any; 1: stride 2, few input and output channels (im2col); 2: stride 1, planes past 28×28 (shifted); 3: lanes;
     * 4: stride 2, 3×3 to 7×7, outputs past 28×28 (shifted through phase planes with generated code).
     */
    private static ConvGeometry geometry(Random r, int kind) {
        if (kind == 4) {
            int k = new int[] {3, 3, 5, 7}[r.nextInt(4)];
            // 7×7 windows (stems) from 1 input channel.
            int cin = k == 7 && r.nextBoolean() ? 1 + r.nextInt(3) : 4 + r.nextInt(20);
            int h = 61 + r.nextInt(30);
            int w = 61 + r.nextInt(30);
            int pad = r.nextInt(k / 2 + 2);
            int oh = (h + 2 * pad - k) / 2 + 1;
            int ow = (w + 2 * pad - k) / 2 + 1;
            return new ConvGeometry(1 + r.nextInt(2), cin, h, w, 1 + r.nextInt(40), oh, ow, k, k, 2, 2, 1, 1, pad,
                    pad, 1);
        }
        int n = 1 + r.nextInt(2);
        int k = kind == 0 ? 1 : kind == 2 ? 3 : new int[] {1, 3, 3, 5}[r.nextInt(4)];
        int stride = kind == 2 ? 1 : kind == 1 ? 2 : r.nextInt(3) == 0 ? 2 : 1;
        int dil = r.nextInt(4) == 0 ? 2 : 1;
        int groups = r.nextInt(4) == 0 ? 2 : 1;
        // Kind 2 with 4–23 channels: shifted with generated (segmented) tiles, im2col for the Vector API kernel.
        int cin = groups * (kind == 2 ? (r.nextBoolean() ? 4 + r.nextInt(20) : 24 + r.nextInt(12))
                : 1 + r.nextInt(kind == 3 ? 80 : kind == 1 ? 3 : 40));
        int cout = groups * (kind == 3 ? 20 + r.nextInt(60) : kind == 1 ? 1 + r.nextInt(15) : 1 + r.nextInt(40));
        // Kind 2 (stride 1, many input channels, planes past 28×28): the shifted strategy.
        int h = kind == 3 ? 3 + r.nextInt(8) : kind == 2 ? 29 + r.nextInt(4) : 4 + r.nextInt(20);
        int w = kind == 3 ? 3 + r.nextInt(8) : kind == 2 ? 29 + r.nextInt(4) : 4 + r.nextInt(20);
        int pad = r.nextInt(3);
        int oh = (h + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        int ow = (w + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        if (oh < 1 || ow < 1) {
            return geometry(r, kind);
        }
        return new ConvGeometry(n, cin, h, w, cout, oh, ow, k, k, stride, stride, dil, dil, pad, pad, groups);
    }

    /**
     * {@code generated} against {@code reference} on random input and residual with {@code threads} threads (see
     * {@link KernelProperties#assertSameOutputs}: nothing a call stages, such as the residual in the tiles' layout,
     * may leak into the next).
     */
    private static void assertSameOutputs(Random r, ConvKernel reference, ConvKernel generated, PostOps post,
                                          int threads, String what) {
        ConvGeometry g = generated.geometry();
        float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
        int outLen = g.batch() * g.outChannels() * g.outH() * g.outW();
        KernelProperties.assertSameOutputs(r, in, RandomData.uniform(r, outLen), outLen, threads,
                KernelProperties.of(reference, threads), KernelProperties.of(generated, threads),
                KernelProperties.relative(1e-4f), () -> what + " " + g + " " + generated.strategy() + " "
                        + post.describe());
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void convolutionsMatchTheVectorKernel(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        java.util.Set<String> strategies = new java.util.TreeSet<>();
        java.util.Set<String> stride2 = new java.util.TreeSet<>();
        KernelProperties.trials(isa, 2026, 50, (r, trial) -> {
            ConvGeometry g = geometry(r, trial % 5);
            int threads = 1 + r.nextInt(2);
            float[] wts = RandomData.uniform(r, g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW());
            PostOps post = KernelProperties.randomPostOps(r, g.outChannels());
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, jit);
            strategies.add(generated.strategy());
            if (g.strideW() == 2) {
                stride2.add(generated.strategy());
            }
            assertSameOutputs(r, reference, generated, post, threads, "trial " + trial);
        });
        assertEquals(java.util.Set.of("channel_lanes_gemm", "gemm_1x1", "im2col_gemm", "shifted_gemm"), strategies);
        assertTrue(stride2.contains("shifted_gemm"), "stride-2 layers ran shifted through phase planes");
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void integerSumsAreExact(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        KernelProperties.trials(isa, 77, 12, (r, trial) -> {
            ConvGeometry g = geometry(r, r.nextInt(4));
            float[] in = codes(r, g.batch() * g.inChannels() * g.inH() * g.inW(), 0, 255);
            float[] wts = codes(r, g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW(), -127, 127);
            PostOps post = new PostOps(null, false, PostOps.Activation.NONE, 0, 0).withIntegerSums();
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, jit);
            KernelProperties.assertSameOutputs(r, in, null, g.batch() * g.outChannels() * g.outH() * g.outW(), 2,
                    KernelProperties.of(reference, 2), KernelProperties.of(generated, 2), e -> 0f,
                    () -> "trial " + trial + " " + g);
        });
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void packedGemmMatchesTheVectorKernel(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        KernelProperties.trials(isa, 5, 60, (r, trial) -> {
            // Every fifth product large enough that B is copied into packed blocks (at least 128 rows, or K blocks
            // deeper than 128, on a B past 64 K floats) over several blocks of 16 column panels and a tail.
            boolean large = trial % 5 == 4;
            int m = large && r.nextBoolean() ? 128 + r.nextInt(40) : 1 + r.nextInt(40);
            int k = r.nextInt(4) == 0 || large && m < 128 ? PackedGemm.KC + 1 + r.nextInt(300) : 1 + r.nextInt(60);
            int n = large ? 16 * PackedGemm.NR + 1 + r.nextInt(24 * PackedGemm.NR)
                    : 1 + r.nextInt(r.nextBoolean() ? 4 * PackedGemm.NR : 12 * PackedGemm.NR);
            int ldb = n + r.nextInt(3);
            int ldc = n + r.nextInt(3);
            float[] a = RandomData.uniform(r, m * k);
            float[] b = RandomData.uniform(r, k * ldb);
            PostOps post = KernelProperties.randomPostOps(r, m);
            float[] res = RandomData.uniform(r, m * ldc);
            float[] expected = new float[m * ldc];
            float[] actual = new float[m * ldc];
            float[] ws = new float[PackedGemm.workspaceSize()];
            PackedGemm reference = new PackedGemm(m, k, a, 0, k, MicroKernel.VECTOR);
            PackedGemm generated = new PackedGemm(m, k, a, 0, k, jit);
            int rowStart = r.nextBoolean() ? 0 : Math.min(m - 1, r.nextInt(3)) / PackedGemm.MR * PackedGemm.MR;
            reference.multiplyRows(rowStart, m, n, b, 0, ldb, expected, 0, ldc, post, 0, res, ws);
            generated.multiplyRows(rowStart, m, n, b, 0, ldb, actual, 0, ldc, post, jit.fuse(post), 0, res, ws);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])),
                        "trial " + trial + " m" + m + " k" + k + " n" + n + " " + post.describe() + " at " + i);
            }
        });
    }

    /**
     * 1×1 layers with few input channels (1–64) on planes large enough that the generated sweeps read B in place from
     * beyond the cache (K · plane past 64 K floats), every other trial past L2 (input and output past 512 K floats),
     * where they prefetch C, the residual and B ahead of their tiles ({@code GemmKernel.Key.prefetchC},
     * {@code prefetchB}), up to past the end of the arrays: odd plane sizes (column tails), output channels not a
     * multiple of the tile, every post-op, batch 1–2, 1–3 threads.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void shortKOneByOneOnLargePlanes(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        KernelProperties.trials(isa, 1101, 14, (r, trial) -> {
            int cin = 1 + r.nextInt(trial % 4 < 2 ? 16 : 64);
            int cout = 1 + r.nextInt(50);
            int beyond = trial % 2 == 0 ? 65_536 / cin : 524_288 / Math.min(cin, cout);
            int plane = beyond + 1 + r.nextInt(3000);
            int w = 40 + r.nextInt(1000);
            int h = (plane + w - 1) / w;
            ConvGeometry g = new ConvGeometry(1 + r.nextInt(2), cin, h, w, cout, h, w, 1, 1, 1, 1, 1, 1, 0, 0, 1);
            PostOps post = KernelProperties.randomPostOps(r, cout);
            float[] wts = RandomData.uniform(r, cout * cin);
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, jit);
            assertEquals("gemm_1x1", generated.strategy(), g.toString());
            assertSameOutputs(r, reference, generated, post, 1 + trial % 3, "trial " + trial);
        });
    }

    /**
     * Channel-lane layers whose last pixel panel holds 1 or 2 pixels (7×7 = 8 panels + 1, 13×13 = 28 + 1, 8×8 = 10 +
     * 4, 10×5 = 8 + 2): on AVX-512 that panel joins the tile before it as a 13- or 14-row tile, also on the last K
     * block whose tiles apply the post-ops in registers (one and several K blocks, one and two threads).
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void channelLanesJoinTheLastPanelWithPostOps(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        int[][] planes = {{7, 7}, {13, 13}, {8, 8}, {10, 5}};
        KernelProperties.trials(isa, 77, 16, (r, trial) -> {
            int[] hw = planes[trial % planes.length];
            int cin = trial / planes.length % 2 == 0 ? 256 + r.nextInt(20) : 300 + r.nextInt(40);
            int cout = 20 + r.nextInt(50);
            ConvGeometry g = new ConvGeometry(1 + r.nextInt(2), cin, hw[0], hw[1], cout, hw[0], hw[1], 3, 3, 1, 1, 1, 1,
                    1, 1, 1);
            PostOps.Activation act = trial % 2 == 0 ? PostOps.Activation.RELU : PostOps.Activation.SWISH;
            PostOps post = new PostOps(RandomData.uniform(r, cout), false, act, 0.8f, 0.4f);
            float[] wts = RandomData.uniform(r, cout * cin * 9);
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, jit);
            assertEquals("channel_lanes_gemm", generated.strategy(), g.toString());
            assertTrue(generated.postOpsInRegisters(), post.describe());
            assertSameOutputs(r, reference, generated, post, 1 + trial % 2, "trial " + trial + " " + g);
        });
    }

    /**
     * The shifted (stride 1 and 2) and channel-lane strategies with every post-op, K deep enough for several K
     * blocks (shifted 540–810, channel lanes 2304–2673, against KC = 256), column, row and channel tails, groups (channels padded per group in the
     * lanes), batch 1–2 and 1–2 threads: the generated tiles applying the post-ops in registers after the last K
     * block (all, PReLU's per-channel slopes too; channel-lane layers with a residual stay in Java) against
     * the Vector API kernel, whose post-ops run in Java.
     */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void tiledPostOpsInRegisters(Jit.Isa isa) {
        MicroKernel jit = MicroKernel.of(isa);
        PostOps.Activation[] acts = PostOps.Activation.values();
        KernelProperties.trials(isa, 404, 3 * acts.length * 2, (r, trial) -> {
            int kind = trial % 3;
            PostOps.Activation act = acts[trial / 3 % acts.length];
            int n = 1 + r.nextInt(2);
            int groups = kind == 2 && r.nextInt(3) == 0 ? 2 : 1;
            // Channel lanes: patches of at least ChannelLaneConv.MIN_PATCH_OVER_SEGMENTED (shallower ones go to the
            // segmented shifted tiles where both fit).
            int cin = groups * (kind == 2 ? 256 + r.nextInt(41) : 60 + r.nextInt(31));
            int cout = groups * (kind == 2 ? 20 + r.nextInt(61) : 1 + r.nextInt(40));
            int stride = kind == 1 ? 2 : 1;
            int h = kind == 2 ? 3 + r.nextInt(8) : kind == 1 ? 61 + r.nextInt(20) : 31 + r.nextInt(12);
            int w = kind == 2 ? 3 + r.nextInt(8) : kind == 1 ? 61 + r.nextInt(20) : 31 + r.nextInt(12);
            int pad = r.nextInt(2);
            ConvGeometry g = new ConvGeometry(n, cin, h, w, cout, (h + 2 * pad - 3) / stride + 1,
                    (w + 2 * pad - 3) / stride + 1, 3, 3, stride, stride, 1, 1, pad, pad, groups);
            PostOps post = KernelProperties.randomPostOps(r, cout, act,
                    trial / (3 * acts.length) == 1 || r.nextBoolean());
            float[] wts = RandomData.uniform(r, cout * (cin / groups) * 9);
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            // Winograd kept out: these layers test the shifted tiles' registers (WinogradConvTest covers it).
            ConvKernel generated = new ConvKernel(g, wts, post, jit, null, false);
            assertEquals(kind == 2 ? "channel_lanes_gemm" : "shifted_gemm", generated.strategy(), g.toString());
            // Not in registers: a residual on the channel-lane path.
            boolean inRegisters = !post.isIdentity() && !(kind == 2 && post.hasResidual());
            assertEquals(inRegisters, generated.postOpsInRegisters(), post.describe());
            assertSameOutputs(r, reference, generated, post, 1 + r.nextInt(2), "trial " + trial);
        });
    }

    private static float[] codes(Random r, int n, int lo, int hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + r.nextInt(hi - lo + 1);
        }
        return v;
    }
}
