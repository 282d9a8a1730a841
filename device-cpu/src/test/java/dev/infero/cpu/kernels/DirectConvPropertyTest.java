package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.DirectConvKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated direct convolution ({@link DirectConvKernel} inside {@link ConvKernel}) for each ISA this machine
 * runs, against the im2col convolution on the Vector API micro-kernel: input channels 1–16, kernels 1–7 (square and
 * not), strides 1–2 per axis, padding 0–3 per side (bottom and right too), odd widths and heights (column tails, rows
 * wholly in the padding), output channels not a multiple of the register block, batch 1–2, 1–2 threads, and every
 * post-op (scale, bias, residual, ReLU, clamp, leaky ReLU, PReLU, HSwish, sigmoid, swish, ELU in registers; codes of
 * an INT8 reader after the generated code).
 */
class DirectConvPropertyTest {
    private static ConvGeometry geometry(Random r) {
        int kh = 1 + r.nextInt(7);
        int kw = r.nextInt(3) == 0 ? 1 + r.nextInt(7) : kh;
        int sh = 1 + r.nextInt(2);
        int sw = r.nextInt(4) == 0 ? 3 - sh : sh;
        int cin = 1 + r.nextInt(16);
        if (cin * kh * kw > DirectConv.MAX_PATCH) {
            return geometry(r);
        }
        int h = 1 + r.nextInt(r.nextBoolean() ? 10 : 40);
        int w = 8 + r.nextInt(r.nextBoolean() ? 40 : 150);
        int pt = r.nextInt(4);
        int pl = r.nextInt(4);
        int pb = r.nextInt(4);
        int pr = r.nextInt(4);
        int oh = (h + pt + pb - kh) / sh + 1;
        int ow = (w + pl + pr - kw) / sw + 1;
        if (oh < 1 || ow < DirectConv.MIN_WIDTH || h + pt + pb < kh || w + pl + pr < kw) {
            return geometry(r);
        }
        int cout = 1 + r.nextInt(40);
        ConvGeometry g = new ConvGeometry(1 + r.nextInt(2), cin, h, w, cout, oh, ow, kh, kw, sh, sw, 1, 1, pt, pl, 1);
        // Pointwise layers (1×1, stride 1, no padding) are GEMMs: the direct kernel never takes them.
        return g.isPointwise() ? geometry(r) : g;
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void directConvolutionMatchesIm2colOnTheVectorKernel(Jit.Isa isa) {
        int[] wideBlocks = new int[1];
        KernelProperties.trials(isa, 1212, 250, (r, trial) -> {
            ConvGeometry g = geometry(r);
            if (g.strideW() == 2 && g.inChannels() >= 12) {
                // AVX-512: 12-channel blocks of two vectors (DirectConvKernel.blocking).
                wideBlocks[0]++;
            }
            int threads = 1 + r.nextInt(2);
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, g.outChannels() * g.patchSize());
            PostOps post = KernelProperties.randomPostOps(r, g.outChannels());
            int outLen = g.batch() * g.outChannels() * g.outH() * g.outW();
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, MicroKernel.VECTOR, isa);
            assertEquals("direct", generated.strategy(), g.toString());
            assertEquals("jit_" + isa.label(), generated.implementation());
            KernelProperties.assertSameOutputs(r, in, RandomData.uniform(r, outLen), outLen, threads,
                    KernelProperties.of(reference, threads), KernelProperties.of(generated, threads),
                    KernelProperties.relative(1e-4f), () -> "trial " + trial + " " + g + " " + post.describe());
        });
        assertTrue(wideBlocks[0] >= 10, "stride-2 layers of 12 or more input channels: " + wideBlocks[0]);
    }

    /** Writing an INT8 reader's codes: the post-ops and quantization run after the generated code. */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void writingCodesAppliesThePostOpsAfterTheKernel(Jit.Isa isa) {
        KernelProperties.trials(isa, 77, 30, (r, trial) -> {
            ConvGeometry g = geometry(r);
            int c = g.outChannels();
            ActivationQuantizer[] codes = new ActivationQuantizer[c];
            for (int i = 0; i < c; i++) {
                codes[i] = ActivationQuantizer.of(-1.28f, 1.27f, 256);
            }
            PostOps post = new PostOps(RandomData.uniform(r, c), false, PostOps.Activation.RELU, 0f, 0f);
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, c * g.patchSize());
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR).writingCodes(codes);
            ConvKernel generated = new ConvKernel(g, wts, post, MicroKernel.VECTOR, isa).writingCodes(codes);
            assertEquals("direct", generated.strategy());
            // A code may move one step when the sum lands on a rounding boundary.
            KernelProperties.assertSameOutputs(r, in, null, g.batch() * c * g.outH() * g.outW(), 2,
                    KernelProperties.of(reference, 2), KernelProperties.of(generated, 2), e -> 1f,
                    () -> "trial " + trial + " " + g);
        });
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        int[] b = DirectConvKernel.blocking(isa);
        // 2 channels 5×20 → 3 channels 5×20, 3×3, padding 1, rows reading kernel rows 0–2 (inside).
        DirectConvKernel k = new DirectConvKernel(KernelCache.shared(), new DirectConvKernel.Key(isa, 2, 100, 20, 3,
                3, 0, 3, 1, 1, 1, 20, 100, 3, b[0], b[1], false, true, true, DepthwiseKernel.Activation.RELU));
        float[] in = new float[200];
        float[] w = new float[DirectConvKernel.packedSize(3, 2, 3, 3)];
        float[] out = new float[300];
        float[] res = new float[300];
        // Output rows 1–3 read input rows 0–4.
        k.run(in, 0, w, out, 20, res, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 1, w, out, 20, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, -1, w, out, 20, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, out, 20, res, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, new float[w.length - 1], out, 20, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, new float[279], 20, res, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, out, 20, new float[279], 3));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(in, 0, w, out, -1, res, 3));
    }

    /** Few input channels but many weights (ResNet's stride-2 projection) stay on the GEMM strategies. */
    @org.junit.jupiter.api.Test
    void layersWithManyWeightsKeepTheGemm() {
        PostOps none = new PostOps(null, false, PostOps.Activation.NONE, 0f, 0f);
        Jit.Isa isa = Jit.Isa.AVX512;
        org.junit.jupiter.api.Assertions.assertTrue(DirectConv.suits(
                new ConvGeometry(1, 3, 224, 224, 64, 112, 112, 7, 7, 2, 2, 1, 1, 3, 3, 1), none, isa), "7x7 stem");
        org.junit.jupiter.api.Assertions.assertTrue(DirectConv.suits(
                new ConvGeometry(1, 64, 56, 56, 128, 28, 28, 1, 1, 2, 2, 1, 1, 0, 0, 1), none, isa), "64->128 1x1/2");
        org.junit.jupiter.api.Assertions.assertFalse(DirectConv.suits(
                new ConvGeometry(1, 256, 56, 56, 512, 28, 28, 1, 1, 2, 2, 1, 1, 0, 0, 1), none, isa), "256->512 1x1/2");
        org.junit.jupiter.api.Assertions.assertFalse(DirectConv.suits(
                new ConvGeometry(1, 32, 40, 40, 256, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), none, isa), "32->256 3x3");
    }

    /**
     * Rows that fill few of their vectors' lanes go to the shifted GEMM's generated tiles when the patch is deep
     * enough (DirectConv.MIN_LANE_SHARE_PERCENT); without generated tiles, or with a short patch, they stay direct.
     */
    @org.junit.jupiter.api.Test
    void rowsFillingFewLanesLeaveDeepPatchesToTheShiftedTiles() {
        PostOps none = new PostOps(null, false, PostOps.Activation.NONE, 0f, 0f);
        Jit.Isa isa = Jit.Isa.AVX512;
        // 18 output columns: two vectors of 16, 56 % filled; patch 288.
        ConvGeometry narrow = new ConvGeometry(1, 32, 36, 36, 64, 18, 18, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        assertFalse(DirectConv.suits(narrow, none, isa, true));
        assertTrue(DirectConv.suits(narrow, none, isa, false), "no generated tiles");
        assertTrue(DirectConv.suits(narrow, none, Jit.Isa.AVX2, true), "AVX2");
        // Patch 72.
        assertTrue(DirectConv.suits(new ConvGeometry(1, 8, 36, 36, 16, 18, 18, 3, 3, 2, 2, 1, 1, 1, 1, 1), none,
                isa, true), "8->16 3x3/2");
        // 28 of 32 lanes.
        assertTrue(DirectConv.suits(new ConvGeometry(1, 32, 56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1), none,
                isa, true), "32->64 3x3/2 on 56x56");
        assertEquals(62, DirectConv.laneSharePercent(20, 16));
        assertEquals(100, DirectConv.laneSharePercent(112, 16));
    }
}
