package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What the kernels' property tests share: the random stream of one ISA (skipped where the machine lacks it), random
 * post-ops, a kernel under test run against its reference on the same inputs, and INT8 codes.
 */
final class KernelProperties {
    /** Range [0, 255] in 256 levels: the value x (an integer) is code x. */
    static final ActivationQuantizer UNSIGNED = ActivationQuantizer.of(0f, 255f, 256);
    /** Range [−128, 127] in 256 levels: zero point 128, the value x (an integer) is code x. */
    static final ActivationQuantizer SIGNED = ActivationQuantizer.of(-128f, 127f, 256);

    private KernelProperties() {
    }

    /** One kernel's call on {@code in} into {@code out} (residual read at the output's offsets, or null). */
    @FunctionalInterface
    interface Kernel {
        void run(float[] in, float[] out, float[] residual, WorkerPool pool);
    }

    /** How far {@code actual} may lie from {@code expected}. */
    @FunctionalInterface
    interface Tolerance {
        float of(float expected);
    }

    /** Within {@code relative · (1 + |expected|)}. */
    static Tolerance relative(float relative) {
        return e -> relative * (1 + Math.abs(e));
    }

    /** The random stream of a test on {@code isa} (seed {@code seed + ordinal}); skips the test where it cannot run. */
    static Random random(Jit.Isa isa, long seed) {
        assumeTrue(isa.supported(), isa + " not available here");
        return new Random(seed + isa.ordinal());
    }

    /** One trial of a property: its random stream and number. */
    @FunctionalInterface
    interface Trial {
        void run(Random r, int trial);
    }

    /**
     * {@code count} trials of a property on {@code isa}, one random stream (seed {@code seed + ordinal}) through all
     * of them; skipped where the machine lacks the ISA.
     */
    static void trials(Jit.Isa isa, long seed, int count, Trial trial) {
        Random r = random(isa, seed);
        for (int t = 0; t < count; t++) {
            trial.run(r, t);
        }
    }

    /** {@code kernel} on one scratch for {@code threads} threads, kept across its calls. */
    static Kernel of(ConvKernel kernel, int threads) {
        ConvKernel.Scratch s = kernel.newScratch(threads);
        return (in, out, res, pool) -> kernel.run(in, out, res, s, pool);
    }

    /** As above for a window kernel. */
    static Kernel of(WindowKernel kernel, int threads) {
        WindowKernel.Scratch s = kernel.newScratch(threads);
        return (in, out, res, pool) -> kernel.run(in, out, res, s, pool);
    }

    /** Random post-ops of {@code channels} channels with any activation (and a residual one time in three). */
    static PostOps randomPostOps(Random r, int channels) {
        PostOps.Activation[] acts = PostOps.Activation.values();
        return randomPostOps(r, channels, acts[r.nextInt(acts.length)], r.nextInt(3) == 0);
    }

    /**
     * Random bias (or none) and, one time in three, scale; then {@code residual} and {@code act} (clamp to [−0.3,
     * 0.4], swish's beta 0.8, leaky slope and ELU alpha 0.1, PReLU random slopes per channel).
     */
    static PostOps randomPostOps(Random r, int channels, PostOps.Activation act, boolean residual) {
        float[] bias = r.nextBoolean() ? RandomData.uniform(r, channels) : null;
        float alpha = act == PostOps.Activation.CLAMP ? -0.3f : act == PostOps.Activation.SWISH ? 0.8f : 0.1f;
        PostOps post = act == PostOps.Activation.PRELU
                ? PostOps.withPerChannelSlopes(bias, residual, RandomData.uniform(r, channels))
                : new PostOps(bias, residual, act, alpha, 0.4f);
        return r.nextInt(3) == 0 ? post.scaledBy(RandomData.uniform(r, channels)) : post;
    }

    /**
     * {@code tested} against {@code reference} on {@code in} (and {@code residual}, or null) with {@code threads}
     * threads, {@code outLen} outputs within {@code tolerance}: {@code tested} runs first on other values, its
     * output then set to NaN, so nothing one call leaves in its scratch may reach the next call's results, and no
     * output may be left unwritten.
     */
    static void assertSameOutputs(Random r, float[] in, float[] residual, int outLen, int threads, Kernel reference,
                                  Kernel tested, Tolerance tolerance, Supplier<String> what) {
        float[] expected = new float[outLen];
        float[] actual = new float[outLen];
        try (WorkerPool pool = new WorkerPool(threads, "t")) {
            reference.run(in, expected, residual, pool);
            tested.run(RandomData.uniform(r, in.length), actual,
                    residual == null ? null : RandomData.uniform(r, outLen), pool);
            Arrays.fill(actual, Float.NaN);
            tested.run(in, actual, residual, pool);
        }
        for (int i = 0; i < outLen; i++) {
            int at = i;
            assertEquals(expected[i], actual[i], tolerance.of(expected[i]), () -> what.get() + " at " + at);
        }
    }

    /**
     * {@code n} activation codes as values (each its own code under {@link #UNSIGNED} or {@link #SIGNED}): random, or
     * {@code extreme} (the largest magnitude, every fifth 0) so that sums pass 2^24.
     */
    static float[] activationCodes(Random r, int n, boolean signed, boolean extreme) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = extreme ? (i % 5 == 0 ? 0 : signed ? -128 : 255) : signed ? r.nextInt(256) - 128 : r.nextInt(256);
        }
        return x;
    }

    /** {@code n} weight codes in [lowest, 127]: random, or {@code extreme} ({@code lowest}, every seventh 127). */
    static float[] weightCodes(Random r, int n, int lowest, boolean extreme) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = extreme ? (i % 7 == 0 ? 127 : lowest) : lowest + r.nextInt(128 - lowest);
        }
        return w;
    }

    /** A square-window convolution's geometry, the output size derived. */
    static ConvGeometry geometry(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int dilation,
                                 int pad, int groups) {
        int oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
        int ow = (w + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
        return new ConvGeometry(n, cin, h, w, cout, oh, ow, kh, kw, stride, stride, dilation, dilation, pad, pad,
                groups);
    }

    /** One random pooling layer of the pooling property tests: the op, the kernel's geometry, the padding at the end. */
    record PoolLayer(Pooling op, ConvGeometry g, int padBottom, int padRight, boolean max, boolean excludePad,
                     boolean ceil) {
        @Override
        public String toString() {
            return (max ? "max " : excludePad ? "avg(exclude pad) " : "avg ") + g + " pads end " + padBottom + ","
                    + padRight + (ceil ? " ceil" : "");
        }
    }

    /**
     * The pooling layer of a drawn window on an {@code h × w} plane ({@code pads}: top, left, bottom, right): floor
     * or ceil rounding, max (two in three) or average counting the padding or not, 1 to {@code maxChannels} channels,
     * batch 1–3; null when the dilated window is larger than the padded input (such windows stay with the reference
     * kernel, as PoolingStep decides) or the output is empty: the caller draws again.
     */
    static PoolLayer poolLayer(Random r, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw, int[] pads,
                               int maxChannels) {
        boolean ceil = r.nextBoolean();
        boolean max = r.nextInt(3) != 0;
        boolean excludePad = r.nextBoolean();
        WindowGeometry win = new WindowGeometry(new long[] {sh, sw}, new long[] {dh, dw},
                new long[] {pads[0], pads[1]}, new long[] {pads[2], pads[3]}, AutoPad.EXPLICIT, ceil);
        long[] kernel = {kh, kw};
        if ((long) (kh - 1) * dh + 1 > h + pads[0] + pads[2] || (long) (kw - 1) * dw + 1 > w + pads[1] + pads[3]) {
            return null;
        }
        int oh = win.poolOutputSize(0, h, kh);
        int ow = win.poolOutputSize(1, w, kw);
        if (oh < 1 || ow < 1) {
            return null;
        }
        int c = 1 + r.nextInt(maxChannels);
        int n = 1 + r.nextInt(3);
        Pooling op = max ? new MaxPool(kernel, win, false) : new AvgPool(kernel, win, excludePad);
        ConvGeometry g = new ConvGeometry(n, c, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pads[0], pads[1], c);
        return new PoolLayer(op, g, pads[2], pads[3], max, excludePad, ceil);
    }

    /**
     * A random depthwise layer for the depthwise property tests: kernels 1–7 (square three times in four), stride 3
     * per axis once in {@code stride3Odds} (else 1–2; the width's stride differs one time in five), dilations 1–2,
     * padding 0–3 per side, planes up to 12 × 12 half the time, else up to {@code maxH × maxW}; {@code padsInWindow}:
     * the top and left padding smaller than the dilated window. Drawn again until that holds and the output is not
     * empty; then the channels ({@code channels}) and batch 1–2.
     */
    static ConvGeometry depthwiseGeometry(Random r, int stride3Odds, int maxH, int maxW, boolean padsInWindow,
                                          ToIntFunction<Random> channels) {
        while (true) {
            int kh = new int[] {3, 3, 3, 5, 7, 1, 2, 4}[r.nextInt(8)];
            int kw = r.nextInt(4) == 0 ? 1 + r.nextInt(7) : kh;
            int sh = r.nextInt(stride3Odds) == 0 ? 3 : 1 + r.nextInt(2);
            int sw = r.nextInt(5) == 0 ? 1 + r.nextInt(3) : sh;
            int dh = r.nextInt(4) == 0 ? 2 : 1;
            int dw = r.nextInt(4) == 0 ? 2 : dh;
            int h = 1 + r.nextInt(r.nextBoolean() ? 12 : maxH);
            int w = 1 + r.nextInt(r.nextBoolean() ? 12 : maxW);
            int pt = r.nextInt(4);
            int pl = r.nextInt(4);
            int pb = r.nextInt(4);
            int pr = r.nextInt(4);
            int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
            int ow = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
            if (oh < 1 || ow < 1 || padsInWindow && (pt >= dh * (kh - 1) + 1 || pl >= dw * (kw - 1) + 1)) {
                continue;
            }
            int c = channels.applyAsInt(r);
            int n = 1 + r.nextInt(2);
            return new ConvGeometry(n, c, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, c);
        }
    }

    /**
     * NCHW images [n][c][h·w] → the blocked layout [n][⌈c/16⌉][h·w][16] at {@code off} of a new array, the padded
     * lanes (and the leading offset) set to large random values, which a kernel must not let matter.
     */
    static float[] blockedImages(float[] nchw, int n, int c, int hw, int off, Random r) {
        int b = 16;
        int cb = (c + b - 1) / b;
        float[] out = new float[off + n * cb * hw * b];
        for (int i = 0; i < out.length; i++) {
            out[i] = (r.nextFloat() - 0.5f) * 2e6f;
        }
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    out[off + ((img * cb + ch / b) * hw + p) * b + ch % b] = nchw[(img * c + ch) * hw + p];
                }
            }
        }
        return out;
    }
}
