package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sliding-window kernels that treat each channel plane of NCHW data on its own: depthwise convolution, max pooling
 * and average pooling. Each input plane is first copied into a per-thread buffer with its padding filled in (zeros,
 * or -inf for max pooling) and, for a column stride s &gt; 1, its columns split into s phases (padded column
 * {@code j*s + p} goes to phase p at index j). Every kernel tap then reads a contiguous, in-bounds run of the buffer
 * for a whole vector of output columns, so the inner loop keeps an output vector in a register across all taps with
 * no bounds tests and no gathers, whatever the stride, dilation or padding.
 */
public final class WindowKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final ConvGeometry g;
    private final boolean max;
    /** [C, KH, KW] tap weights (depthwise), or {@code null} for pooling (max, or an unweighted sum). */
    private final float[] weights;
    /** Per output position of a plane, the factor the window sum is multiplied by (average pooling), or null. */
    private final float[] scale;
    private final PostOps post;
    private final float padValue;
    /** Padded rows the windows cover, and the length of one buffered row per phase (with room for a vector). */
    private final int rows;
    private final int phaseWidth;
    /** Per tap, where its run starts in the buffer relative to the output row's base. */
    private final int[] tapOffset;
    private final VectorMask<Float> tailMask;

    private WindowKernel(ConvGeometry g, boolean max, float[] weights, float[] scale, PostOps post) {
        this.g = g;
        this.max = max;
        this.weights = weights;
        this.scale = scale;
        this.post = post;
        this.padValue = max ? Float.NEGATIVE_INFINITY : 0f;
        this.rows = (g.outH() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
        int cols = (g.outW() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
        this.phaseWidth = (cols + g.strideW() - 1) / g.strideW() + L;
        this.tapOffset = new int[g.kernelH() * g.kernelW()];
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int col = kw * g.dilationW();
                int phase = col % g.strideW();
                tapOffset[kh * g.kernelW() + kw] = (phase * rows + kh * g.dilationH()) * phaseWidth + col / g.strideW();
            }
        }
        this.tailMask = S.indexInRange(0, g.outW() % L);
    }

    /** Depthwise convolution; {@code weights} is [C, KH, KW] (the op's [C, 1, 1, KH, KW] flattened). */
    public static WindowKernel depthwise(ConvGeometry g, float[] weights, PostOps post) {
        return new WindowKernel(g, false, weights, null, post);
    }

    /** Max pooling: padded positions never win; a window entirely in padding yields -inf. */
    public static WindowKernel maxPool(ConvGeometry g) {
        return new WindowKernel(g, true, null, null, PostOps.NONE);
    }

    /**
     * Average pooling. With {@code excludePad} a window's mean is over the input values it covers; otherwise over
     * the positions inside the padded input (ending {@code padBottom}/{@code padRight} after it). A window with
     * nothing to count yields 0.
     */
    public static WindowKernel avgPool(ConvGeometry g, boolean excludePad, int padBottom, int padRight) {
        int[] countY = windowCounts(g.outH(), g.kernelH(), g.strideH(), g.dilationH(), g.padTop(), g.inH(),
                excludePad ? 0 : g.padTop(), excludePad ? 0 : padBottom);
        int[] countX = windowCounts(g.outW(), g.kernelW(), g.strideW(), g.dilationW(), g.padLeft(), g.inW(),
                excludePad ? 0 : g.padLeft(), excludePad ? 0 : padRight);
        float[] scale = new float[g.outH() * g.outW() + L];
        for (int y = 0; y < g.outH(); y++) {
            for (int x = 0; x < g.outW(); x++) {
                int n = countY[y] * countX[x];
                scale[y * g.outW() + x] = n == 0 ? 0f : 1f / n;
            }
        }
        return new WindowKernel(g, false, null, scale, PostOps.NONE);
    }

    /** Per output index, how many of its window's taps fall inside [-before, size + after). */
    private static int[] windowCounts(int out, int k, int stride, int dilation, int pad, int size, int before,
                                      int after) {
        int[] counts = new int[out];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < k; t++) {
                int i = o * stride - pad + t * dilation;
                if (i >= -before && i < size + after) {
                    counts[o]++;
                }
            }
        }
        return counts;
    }

    public ConvGeometry geometry() {
        return g;
    }

    /** Per-request state: one padded-plane buffer per thread and the current call's arguments. */
    public final class Scratch {
        private final float[][] buffers;
        private final IntConsumer task;
        private float[] in;
        private float[] out;
        private float[] residual;
        private int threads;

        Scratch(int threads) {
            buffers = new float[threads][g.strideW() * rows * phaseWidth];
            task = this::runTask;
        }

        private void runTask(int t) {
            int planes = g.batch() * g.inChannels();
            for (int plane = t; plane < planes; plane += threads) {
                plane(in, out, residual, plane, buffers[t]);
            }
        }
    }

    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    public void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.threads = Math.min(pool.threads(), s.buffers.length);
        pool.parallelFor(Math.min(s.threads, g.batch() * g.inChannels()), s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    private void plane(float[] in, float[] out, float[] residual, int plane, float[] buf) {
        int c = plane % g.inChannels();
        int ow = g.outW();
        fillBuffer(in, plane * g.inH() * g.inW(), buf);
        int taps = tapOffset.length;
        int wBase = c * taps;
        int fullEnd = ow - ow % L;
        FloatVector init = FloatVector.broadcast(S, padValue);
        for (int y = 0; y < g.outH(); y++) {
            int rowBase = y * g.strideH() * phaseWidth;
            int o = plane * g.outH() * ow + y * ow;
            for (int x = 0; x < ow; x += L) {
                FloatVector acc = max ? init : FloatVector.zero(S);
                int b = rowBase + x;
                for (int t = 0; t < taps; t++) {
                    FloatVector v = FloatVector.fromArray(S, buf, b + tapOffset[t]);
                    if (max) {
                        acc = acc.max(v);
                    } else if (weights == null) {
                        acc = acc.add(v);
                    } else {
                        acc = v.fma(FloatVector.broadcast(S, weights[wBase + t]), acc);
                    }
                }
                if (scale != null) {
                    acc = acc.mul(FloatVector.fromArray(S, scale, y * ow + x));
                }
                if (x < fullEnd) {
                    acc.intoArray(out, o + x);
                } else {
                    acc.intoArray(out, o + x, tailMask);
                }
            }
            post.apply(out, o, ow, c, residual);
        }
    }

    /** Copies one input plane into {@code buf}: padded, phase-split by the column stride. */
    private void fillBuffer(float[] in, int base, float[] buf) {
        int sw = g.strideW();
        int iw = g.inW();
        for (int phase = 0; phase < sw; phase++) {
            // Buffer index j of this phase reads input column j*sw + phase - padLeft; the valid ones are [first, end).
            int shift = phase - g.padLeft();
            int first = Math.min(phaseWidth, shift >= 0 ? 0 : (-shift + sw - 1) / sw);
            int end = Math.max(first, Math.min(phaseWidth, iw - shift <= 0 ? 0 : (iw - shift + sw - 1) / sw));
            for (int r = 0; r < rows; r++) {
                int d = (phase * rows + r) * phaseWidth;
                int iy = r - g.padTop();
                if (iy < 0 || iy >= g.inH() || first == end) {
                    Arrays.fill(buf, d, d + phaseWidth, padValue);
                    continue;
                }
                int src = base + iy * iw + shift;
                Arrays.fill(buf, d, d + first, padValue);
                if (sw == 1) {
                    System.arraycopy(in, src + first, buf, d + first, end - first);
                } else {
                    for (int j = first; j < end; j++) {
                        buf[d + j] = in[src + j * sw];
                    }
                }
                Arrays.fill(buf, d + end, d + phaseWidth, padValue);
            }
        }
    }
}
