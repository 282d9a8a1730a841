package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution (one filter per channel), computed directly: for each output row, each kernel tap adds a
 * scaled input row segment to it. With stride 1 the segments are contiguous and the loop is vectorized; the valid
 * segment of every tap is computed once, so padding costs no per-pixel test. Channels are split across threads.
 */
public final class DepthwiseConvKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final ConvGeometry g;
    private final float[] weights;
    private final PostOps post;

    /** @param weights [C, KH, KW] (the op's [C, 1, 1, KH, KW] flattened) */
    public DepthwiseConvKernel(ConvGeometry geometry, float[] weights, PostOps post) {
        this.g = geometry;
        this.weights = weights;
        this.post = post;
    }

    public void run(float[] in, float[] out, float[] residual, WorkerPool pool) {
        int channels = g.inChannels();
        int planes = g.batch() * channels;
        int threads = pool.threads();
        pool.parallelFor(Math.min(threads, planes), t -> {
            for (int plane = t; plane < planes; plane += threads) {
                channel(in, out, plane, plane % channels);
                int size = g.outH() * g.outW();
                post.apply(out, plane * size, size, plane % channels, residual);
            }
        });
    }

    private void channel(float[] in, float[] out, int plane, int c) {
        int ih = g.inH();
        int iw = g.inW();
        int oh = g.outH();
        int ow = g.outW();
        int inBase = plane * ih * iw;
        int outBase = plane * oh * ow;
        int wBase = c * g.kernelH() * g.kernelW();
        java.util.Arrays.fill(out, outBase, outBase + oh * ow, 0f);
        for (int y = 0; y < oh; y++) {
            int o = outBase + y * ow;
            for (int kh = 0; kh < g.kernelH(); kh++) {
                int iy = y * g.strideH() - g.padTop() + kh * g.dilationH();
                if (iy < 0 || iy >= ih) {
                    continue;
                }
                int rowIn = inBase + iy * iw;
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    float w = weights[wBase + kh * g.kernelW() + kw];
                    int x0 = kw * g.dilationW() - g.padLeft();
                    // Output columns x whose input column x0 + x*stride lies inside the row.
                    int first = x0 >= 0 ? 0 : (-x0 + g.strideW() - 1) / g.strideW();
                    int last = Math.min(ow, (iw - 1 - x0) / g.strideW() + 1);
                    if (iw - 1 - x0 < 0) {
                        continue;
                    }
                    if (g.strideW() == 1) {
                        axpy(w, in, rowIn + x0 + first, out, o + first, last - first);
                    } else {
                        for (int x = first; x < last; x++) {
                            out[o + x] += w * in[rowIn + x0 + x * g.strideW()];
                        }
                    }
                }
            }
        }
    }

    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            va.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }
}
