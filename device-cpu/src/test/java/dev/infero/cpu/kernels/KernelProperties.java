package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

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
}
