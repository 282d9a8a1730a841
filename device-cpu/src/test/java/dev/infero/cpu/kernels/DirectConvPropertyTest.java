package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.DirectConvKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.parallel.WorkerPool;
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
    private static final PostOps.Activation[] ACTIVATIONS = PostOps.Activation.values();

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
        return new ConvGeometry(1 + r.nextInt(2), cin, h, w, cout, oh, ow, kh, kw, sh, sw, 1, 1, pt, pl, 1);
    }

    private static PostOps post(Random r, int c) {
        PostOps.Activation act = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
        float[] bias = r.nextBoolean() ? RandomData.uniform(r, c) : null;
        boolean residual = r.nextInt(3) == 0;
        PostOps post = act == PostOps.Activation.PRELU ? PostOps.withPerChannelSlopes(bias, residual,
                RandomData.uniform(r, c))
                : new PostOps(bias, residual, act, act == PostOps.Activation.CLAMP ? -0.3f : 0.2f, 0.4f);
        return r.nextInt(4) == 0 ? post.scaledBy(RandomData.uniform(r, c)) : post;
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void directConvolutionMatchesIm2colOnTheVectorKernel(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        Random r = new Random(1212 + isa.ordinal());
        for (int trial = 0; trial < 250; trial++) {
            ConvGeometry g = geometry(r);
            int threads = 1 + r.nextInt(2);
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            float[] wts = RandomData.uniform(r, g.outChannels() * g.patchSize());
            PostOps post = post(r, g.outChannels());
            int outLen = g.batch() * g.outChannels() * g.outH() * g.outW();
            float[] res = RandomData.uniform(r, outLen);
            float[] expected = new float[outLen];
            float[] actual = new float[outLen];
            ConvKernel reference = new ConvKernel(g, wts, post, MicroKernel.VECTOR);
            ConvKernel generated = new ConvKernel(g, wts, post, MicroKernel.VECTOR, isa);
            assertEquals("direct", generated.strategy(), g.toString());
            assertEquals("jit_" + isa.label(), generated.implementation());
            try (WorkerPool pool = new WorkerPool(threads, "t")) {
                reference.run(in, expected, res, reference.newScratch(threads), pool);
                // Twice on one scratch.
                ConvKernel.Scratch s = generated.newScratch(threads);
                generated.run(in, actual, res, s, pool);
                generated.run(in, actual, res, s, pool);
            }
            for (int i = 0; i < outLen; i++) {
                assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])),
                        "trial " + trial + " " + g + " " + post.describe() + " at " + i);
            }
        }
    }

    /** Writing an INT8 reader's codes: the post-ops and quantization run after the generated code. */
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void writingCodesAppliesThePostOpsAfterTheKernel(Jit.Isa isa) {
        assumeTrue(isa.supported(), isa + " not available here");
        Random r = new Random(77 + isa.ordinal());
        for (int trial = 0; trial < 30; trial++) {
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
            int outLen = g.batch() * c * g.outH() * g.outW();
            float[] expected = new float[outLen];
            float[] actual = new float[outLen];
            try (WorkerPool pool = new WorkerPool(2, "t")) {
                reference.run(in, expected, null, reference.newScratch(2), pool);
                generated.run(in, actual, null, generated.newScratch(2), pool);
            }
            for (int i = 0; i < outLen; i++) {
                // A code may move one step when the sum lands on a rounding boundary.
                assertEquals(expected[i], actual[i], 1f, "trial " + trial + " " + g + " at " + i);
            }
        }
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
}
