package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;

/**
 * 2-D f32 transposed convolution (ConvolutionBackpropData, GroupConvolutionBackpropData: deconvolution upsampling)
 * as one GEMM and one scatter per image and group. The GEMM {@code cols[oc·taps + t, p] = Σ_ic W[ic, oc, t] · X[ic, p]}
 * runs on {@link PackedGemm} with the weights, transposed once, as its constant left operand (the generated
 * micro-kernel where the JIT is on); then each row of {@code cols} is added to the output positions its tap reaches
 * ({@code in · stride + tap · dilation - pad}, col2im), and the post-ops run once per finished output channel.
 * Output positions no tap reaches are 0 plus the post-ops, as the reference op leaves them. Both run band by band
 * over the input rows, so the column matrix of a band stays in cache ({@link #BAND_FLOATS}). The GEMM splits by
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

    /** Floats of the column matrix a band of input rows may fill (1 MiB), so it stays in the L2 cache. */
    static final int BAND_FLOATS = 1 << 18;

    private final Geometry g;
    private final int cinG;
    private final int coutG;
    /** Per group, {@code Wᵀ[coutG·taps, cinG]} packed. */
    private final PackedGemm[] gemm;
    private final PostOps post;
    /** Input rows per band: the GEMM and the scatter run band by band over the input. */
    private final int bandRows;

    /**
     * @param weights {@code [groups·cinG, coutG, kh, kw]} in row-major order (the plain op's {@code [cin, cout, kh, kw]}
     *                and the grouped op's {@code [groups, cinG, coutG, kh, kw]} alike)
     */
    public DeconvKernel(Geometry g, float[] weights, PostOps post, MicroKernel micro) {
        this(g, weights, post, micro, BAND_FLOATS);
    }

    /** As above, with bands of at most {@code bandFloats} column values (at least one input row). */
    DeconvKernel(Geometry g, float[] weights, PostOps post, MicroKernel micro, int bandFloats) {
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
        this.bandRows = (int) Math.max(1, Math.min(g.inH(), bandFloats / ((long) rows * g.inW())));
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

    /** The column matrix of one band, per-thread GEMM workspace, and the current call's arguments. */
    public final class Scratch {
        final float[] cols = new float[coutG * g.taps() * bandRows * g.inW()];
        final float[][] ws;
        final IntConsumer clear = this::clear;
        final IntConsumer product = this::product;
        final IntConsumer scatter = this::scatter;
        final IntConsumer finish = this::finish;
        float[] in;
        float[] out;
        int inBase;
        int outBase;
        int group;
        int row0;
        int bandColumns;
        int columnsPerTask;
        int channelsPerTask;

        Scratch(int threads) {
            ws = new float[Math.max(1, threads)][PackedGemm.workspaceSize()];
        }

        private void clear(int t) {
            int from = outBase + t * channelsPerTask * g.outPlane();
            int to = outBase + Math.min(coutG, (t + 1) * channelsPerTask) * g.outPlane();
            if (from < to) {
                java.util.Arrays.fill(out, from, to, 0f);
            }
        }

        private void product(int t) {
            int j0 = t * columnsPerTask;
            int n = Math.min(bandColumns, j0 + columnsPerTask) - j0;
            if (n > 0) {
                gemm[group].multiply(n, in, inBase + row0 * g.inW() + j0, g.inPlane(), cols, j0, bandColumns,
                        PostOps.NONE, 0, null, ws[t]);
            }
        }

        private void scatter(int t) {
            int end = Math.min(coutG, (t + 1) * channelsPerTask);
            for (int oc = t * channelsPerTask; oc < end; oc++) {
                scatterChannel(cols, bandColumns, row0, oc, out, outBase + oc * g.outPlane());
            }
        }

        private void finish(int t) {
            int end = Math.min(coutG, (t + 1) * channelsPerTask);
            for (int oc = t * channelsPerTask; oc < end; oc++) {
                post.apply(out, outBase + oc * g.outPlane(), g.outPlane(), group * coutG + oc, null);
            }
        }
    }

    /**
     * Adds channel {@code oc}'s rows of the band's {@code cols} ({@code columns} per row: input rows from
     * {@code row0} on) to its output plane at {@code out[base..]}.
     */
    private void scatterChannel(float[] cols, int columns, int row0, int oc, float[] out, int base) {
        int inW = g.inW();
        int rows = columns / inW;
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
                int row = (oc * g.taps() + ky * g.kw() + kx) * columns;
                for (int r = 0; r < rows; r++) {
                    int oy = (row0 + r) * g.strideH() + offY;
                    if (oy < 0 || oy >= g.outH()) {
                        continue;
                    }
                    int src = row + r * inW;
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
        long bytes = 4L * ((long) cinG * plane + 2L * coutG * g.taps() * plane + (long) coutG * g.outPlane());
        int threads = Math.min(pool.threadsFor(flops, bytes), s.ws.length);
        int channelTasks = Math.max(1, Math.min(threads, coutG));
        s.channelsPerTask = (coutG + channelTasks - 1) / channelTasks;
        s.in = in;
        s.out = out;
        for (int n = 0; n < g.batch(); n++) {
            for (int grp = 0; grp < g.groups(); grp++) {
                s.group = grp;
                s.inBase = (n * g.cin() + grp * cinG) * plane;
                s.outBase = (n * g.cout() + grp * coutG) * g.outPlane();
                pool.parallelFor(channelTasks, s.clear);
                for (int r0 = 0; r0 < g.inH(); r0 += bandRows) {
                    s.row0 = r0;
                    s.bandColumns = Math.min(bandRows, g.inH() - r0) * g.inW();
                    int blocks = (s.bandColumns + PackedGemm.NR - 1) / PackedGemm.NR;
                    int tasks = Math.max(1, Math.min(threads, blocks));
                    s.columnsPerTask = (blocks + tasks - 1) / tasks * PackedGemm.NR;
                    pool.parallelFor(tasks, s.product);
                    pool.parallelFor(channelTasks, s.scatter);
                }
                pool.parallelFor(channelTasks, s.finish);
            }
        }
        s.in = null;
        s.out = null;
    }
}
