package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;

/**
 * Convolution as matrix products: for each image and group, {@code out[Cout × OH·OW] = W[Cout × Cin·KH·KW] ·
 * cols[Cin·KH·KW × OH·OW]}, where {@code cols} is the im2col unfolding of the input (skipped for 1×1 stride-1
 * convolutions, whose input already is that matrix). Bias, residual add and activation are applied per channel row
 * right after the product, while the row is in cache.
 */
public final class ConvKernel {
    private final ConvGeometry g;
    private final float[] weights;
    private final PostOps post;

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op */
    public ConvKernel(ConvGeometry geometry, float[] weights, PostOps post) {
        this.g = geometry;
        this.weights = weights;
        this.post = post;
    }

    public ConvGeometry geometry() {
        return g;
    }

    /** Per-request scratch: the im2col matrix and one GEMM workspace per pool thread. */
    public Scratch newScratch(int threads) {
        return new Scratch(g.isPointwise() ? 0 : g.patchSize() * g.outH() * g.outW(), threads);
    }

    public static final class Scratch {
        final float[] cols;
        final Sgemm.Workspace[] gemm;

        Scratch(int colsSize, int threads) {
            cols = new float[colsSize];
            gemm = new Sgemm.Workspace[threads];
            for (int i = 0; i < threads; i++) {
                gemm[i] = new Sgemm.Workspace();
            }
        }
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    public void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int spatialIn = g.inH() * g.inW();
        int spatialOut = g.outH() * g.outW();
        int k = g.patchSize();
        for (int n = 0; n < g.batch(); n++) {
            for (int grp = 0; grp < g.groups(); grp++) {
                int inOff = (n * g.inChannels() + grp * cin) * spatialIn;
                int outOff = (n * g.outChannels() + grp * cout) * spatialOut;
                float[] b;
                int bOff;
                if (g.isPointwise()) {
                    b = in;
                    bOff = inOff;
                } else {
                    im2col(in, inOff, s.cols, pool);
                    b = s.cols;
                    bOff = 0;
                }
                Sgemm.multiply(cout, spatialOut, k, weights, grp * cout * k, k, b, bOff, spatialOut, out, outOff,
                        spatialOut, false, s.gemm, pool);
                if (!post.isIdentity()) {
                    int channelBase = grp * cout;
                    pool.parallelFor(Math.min(pool.threads(), cout), t -> {
                        for (int c = t; c < cout; c += pool.threads()) {
                            post.apply(out, outOff + c * spatialOut, spatialOut, channelBase + c, residual);
                        }
                    });
                }
            }
        }
    }

    /** Unfolds one group of one image: row (c, kh, kw) holds the input pixel each output position reads there. */
    private void im2col(float[] in, int inOff, float[] cols, WorkerPool pool) {
        int cin = g.inChannelsPerGroup();
        int oh = g.outH();
        int ow = g.outW();
        int rows = cin * g.kernelH() * g.kernelW();
        int threads = pool.threads();
        pool.parallelFor(Math.min(threads, rows), t -> {
            for (int row = t; row < rows; row += threads) {
                int c = row / (g.kernelH() * g.kernelW());
                int kh = row / g.kernelW() % g.kernelH();
                int kw = row % g.kernelW();
                int dst = row * oh * ow;
                int src = inOff + c * g.inH() * g.inW();
                for (int y = 0; y < oh; y++) {
                    int iy = y * g.strideH() - g.padTop() + kh * g.dilationH();
                    int d = dst + y * ow;
                    if (iy < 0 || iy >= g.inH()) {
                        Arrays.fill(cols, d, d + ow, 0f);
                        continue;
                    }
                    int rowSrc = src + iy * g.inW();
                    int x0 = kw * g.dilationW() - g.padLeft();
                    if (g.strideW() == 1) {
                        // Contiguous: zero the padded ends and copy the middle in one go.
                        int first = Math.max(0, -x0);
                        int last = Math.min(ow, g.inW() - x0);
                        if (last <= first) {
                            Arrays.fill(cols, d, d + ow, 0f);
                            continue;
                        }
                        Arrays.fill(cols, d, d + first, 0f);
                        System.arraycopy(in, rowSrc + x0 + first, cols, d + first, last - first);
                        Arrays.fill(cols, d + last, d + ow, 0f);
                    } else {
                        for (int x = 0; x < ow; x++) {
                            int ix = x0 + x * g.strideW();
                            cols[d + x] = ix >= 0 && ix < g.inW() ? in[rowSrc + ix] : 0f;
                        }
                    }
                }
            }
        });
    }
}
