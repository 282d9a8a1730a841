package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;

/**
 * 2-D f32 transposed convolution (ConvolutionBackpropData, GroupConvolutionBackpropData: deconvolution upsampling)
 * as one GEMM and one scatter per image and group. The GEMM {@code cols[oc·taps + t, p] = Σ_ic W[ic, oc, t] · X[ic, p]}
 * runs on {@link PackedGemm} with the weights, transposed once, as its constant left operand (the generated
 * micro-kernel where the JIT is on); then each row of {@code cols} is added to the output positions its tap reaches
 * ({@code in · stride + tap · dilation - pad}, col2im), and the post-ops run once per finished output channel.
 * Output positions no tap reaches are 0 plus the post-ops, as the reference op leaves them. The GEMM splits by
 * columns, the scatter by output channels, so threads never write the same elements.
 */
public final class DeconvKernel {
    /**
     * The layer's shape: input {@code [batch, cin, inH, inW]}, output {@code [batch, cout, outH, outW]}, kernel
     * {@code kh × kw}, and where the first tap lands ({@code padH}, {@code padW}; negative when the output is larger
     * than the uncropped result).
     */
    public record Geometry(int batch, int cin, int inH, int inW, int cout, int outH, int outW, int kh, int kw,
                           int strideH, int strideW, int dilationH, int dilationW, int padH, int padW, int groups) {
        public Geometry {
            if (batch <= 0 || cin <= 0 || inH <= 0 || inW <= 0 || cout <= 0 || outH <= 0 || outW <= 0 || kh <= 0
                    || kw <= 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0 || groups <= 0
                    || cin % groups != 0 || cout % groups != 0) {
                throw new IllegalArgumentException("bad transposed convolution geometry " + this);
            }
        }

        int inPlane() {
            return inH * inW;
        }

        int outPlane() {
            return outH * outW;
        }

        int taps() {
            return kh * kw;
        }
    }

    private final Geometry g;
    private final int cinG;
    private final int coutG;
    /** Per group, {@code Wᵀ[coutG·taps, cinG]} packed. */
    private final PackedGemm[] gemm;
    private final PostOps post;

    /**
     * @param weights {@code [groups·cinG, coutG, kh, kw]} in row-major order (the plain op's {@code [cin, cout, kh, kw]}
     *                and the grouped op's {@code [groups, cinG, coutG, kh, kw]} alike)
     */
    public DeconvKernel(Geometry g, float[] weights, PostOps post, MicroKernel micro) {
        this.g = g;
        this.cinG = g.cin() / g.groups();
        this.coutG = g.cout() / g.groups();
        this.post = post;
        int taps = g.taps();
        int rows = coutG * taps;
        if (weights.length != g.cin() * rows) {
            throw new IllegalArgumentException("transposed convolution weights have " + weights.length
                    + " values, expected " + g.cin() * rows);
        }
        this.gemm = new PackedGemm[g.groups()];
        float[] a = new float[rows * cinG];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int ic = 0; ic < cinG; ic++) {
                int src = (grp * cinG + ic) * rows;
                for (int r = 0; r < rows; r++) {
                    a[r * cinG + ic] = weights[src + r];
                }
            }
            gemm[grp] = new PackedGemm(rows, cinG, a, 0, cinG, micro);
        }
    }

    /** The product's implementation, as {@link MicroKernel#implementation()} names it. */
    public String implementation() {
        return gemm[0].micro().implementation();
    }

    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** The column matrix of one group, per-thread GEMM workspace, and the current call's arguments. */
    public final class Scratch {
        final float[] cols = new float[coutG * g.taps() * g.inPlane()];
        final float[][] ws;
        final IntConsumer product = this::product;
        final IntConsumer scatter = this::scatter;
        float[] in;
        float[] out;
        int inBase;
        int outBase;
        int group;
        int tasks;
        int columnsPerTask;
        int channelsPerTask;

        Scratch(int threads) {
            ws = new float[Math.max(1, threads)][PackedGemm.workspaceSize()];
        }

        private void product(int t) {
            int plane = g.inPlane();
            int j0 = t * columnsPerTask;
            int n = Math.min(plane, j0 + columnsPerTask) - j0;
            if (n > 0) {
                gemm[group].multiply(n, in, inBase + j0, plane, cols, j0, plane, PostOps.NONE, 0, null, ws[t]);
            }
        }

        private void scatter(int t) {
            int end = Math.min(coutG, (t + 1) * channelsPerTask);
            for (int oc = t * channelsPerTask; oc < end; oc++) {
                int base = outBase + oc * g.outPlane();
                java.util.Arrays.fill(out, base, base + g.outPlane(), 0f);
                scatterChannel(cols, oc, out, base);
                post.apply(out, base, g.outPlane(), group * coutG + oc, null);
            }
        }
    }

    /** Adds channel {@code oc}'s rows of {@code cols} to its output plane at {@code out[base..]}. */
    private void scatterChannel(float[] cols, int oc, float[] out, int base) {
        int inW = g.inW();
        int plane = g.inPlane();
        int sw = g.strideW();
        for (int ky = 0; ky < g.kh(); ky++) {
            int offY = ky * g.dilationH() - g.padH();
            for (int kx = 0; kx < g.kw(); kx++) {
                int offX = kx * g.dilationW() - g.padW();
                int ixLo = Math.max(0, Math.ceilDiv(-offX, sw));
                int ixHi = Math.min(inW - 1, Math.floorDiv(g.outW() - 1 - offX, sw));
                if (ixLo > ixHi) {
                    continue;
                }
                int row = (oc * g.taps() + ky * g.kw() + kx) * plane;
                for (int iy = 0; iy < g.inH(); iy++) {
                    int oy = iy * g.strideH() + offY;
                    if (oy < 0 || oy >= g.outH()) {
                        continue;
                    }
                    int src = row + iy * inW;
                    int o = base + oy * g.outW() + ixLo * sw + offX;
                    if (sw == 1) {
                        for (int ix = ixLo; ix <= ixHi; ix++, o++) {
                            out[o] += cols[src + ix];
                        }
                    } else {
                        for (int ix = ixLo; ix <= ixHi; ix++, o += sw) {
                            out[o] += cols[src + ix];
                        }
                    }
                }
            }
        }
    }

    /** {@code out = post(deconv(in))}; {@code in} and {@code out} hold whole NCHW tensors of this geometry. */
    public void run(float[] in, float[] out, Scratch s, WorkerPool pool) {
        long inSize = (long) g.batch() * g.cin() * g.inPlane();
        long outSize = (long) g.batch() * g.cout() * g.outPlane();
        if (in.length < inSize || out.length < outSize) {
            throw new IllegalArgumentException("transposed convolution buffers too small: input " + in.length
                    + " of " + inSize + ", output " + out.length + " of " + outSize);
        }
        int plane = g.inPlane();
        long flops = 2L * coutG * g.taps() * cinG * plane;
        long bytes = 4L * ((long) cinG * plane + 2L * s.cols.length + (long) coutG * g.outPlane());
        int threads = Math.min(pool.threadsFor(flops, bytes), s.ws.length);
        s.in = in;
        s.out = out;
        for (int n = 0; n < g.batch(); n++) {
            for (int grp = 0; grp < g.groups(); grp++) {
                s.group = grp;
                s.inBase = (n * g.cin() + grp * cinG) * plane;
                s.outBase = (n * g.cout() + grp * coutG) * g.outPlane();
                int blocks = (plane + PackedGemm.NR - 1) / PackedGemm.NR;
                int tasks = Math.max(1, Math.min(threads, blocks));
                s.columnsPerTask = (blocks + tasks - 1) / tasks * PackedGemm.NR;
                pool.parallelFor(tasks, s.product);
                tasks = Math.max(1, Math.min(threads, coutG));
                s.channelsPerTask = (coutG + tasks - 1) / tasks;
                pool.parallelFor(tasks, s.scatter);
            }
        }
        s.in = null;
        s.out = null;
    }
}
