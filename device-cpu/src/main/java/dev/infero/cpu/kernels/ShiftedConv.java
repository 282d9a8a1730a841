package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;

/**
 * A KH×KW convolution as a sum of shifted matrix products, without im2col. Stride 1 first: the input planes are
 * copied zero-padded to rows of {@code Wq = OW + (KW-1)·dW} (the padding columns are part of each row); output
 * position {@code (y, x)} becomes column {@code j = y·Wq + x} of a padded-width output, and for kernel tap
 * {@code (kh, kw)} the value it reads from channel c is {@code padded[c][j + kh·dH·Wq + kw·dW]}: for each tap the
 * "im2col rows" are the padded planes themselves, shifted by a constant and a plane apart. With the weights packed
 * with K ordered (kh, kw, c), {@code C[Cout × OH·Wq] = Σ_tap W_tap · shift_tap(padded)} runs on
 * {@link PackedGemm#kernel} reading B in place, and the Wq - OW columns past each row's end are dropped when the rows
 * go to the output. A stride s splits the padded input into s×s phase planes (rows ≡ py, columns ≡ px mod s, the
 * taps' offsets modulo the stride): tap (kh, kw) reads phase ({@code kh·dH mod sH}, {@code kw·dW mod sW}) shifted by
 * ({@code kh·dH / sH}, {@code kw·dW / sW}), the stride-1 case again.
 * <p>
 * im2col writes and reads back KH·KW/(sH·sW) copies of the input; this copies it about once (plus a halo of rows per
 * chunk), at the price of (Wq - OW) / OW wasted columns. The output columns are cut into chunks whose input window
 * (all channels and phases) and result stay in L2; each thread copies its chunk's window right before multiplying
 * it, so the window is cache-hot.
 */
final class ShiftedConv {
    /** Input window per chunk, in floats: window and chunk result fit L2 next to the packed weights. */
    private static final int WINDOW_FLOATS = 64 * 1024;

    private final boolean NOCOPY = Boolean.getBoolean("infero.shifted.nocopy");
    private final ConvGeometry g;
    private final PackedGemm[] weights;
    private final PostOps post;
    /** Row length of a phase plane and of the padded-width output. */
    private final int planeW;
    /** Rows of a phase plane. */
    private final int planeH;
    /** The phases the taps read (index py·sW + px), in window order. */
    private final int[] phases;
    /** Largest distance from an output column to the input it reads in its phase plane. */
    private final int maxShift;
    /** Output columns (padded width) per chunk at most, a multiple of NR. */
    private final int maxChunk;
    /** Plane rows a window holds: what any chunk of {@link #maxChunk} columns reads. */
    private final int windowRows;
    /** Stride between the channels of a window, the B leading dimension. */
    private final int ldb;
    /** K segments: a tap's channels, cut at KC-block boundaries (where the packed weights jump). */
    private final int[] segK0;
    private final int[] segLen;
    /** Where a segment's first B row starts in the window, for output column 0 of the window's first row. */
    private final int[] segB;
    private final int[] passStart;

    /**
     * Whether this beats im2col: a real kernel window (1×1 stride 1 is a plain product already), output rows long
     * enough that the padding columns are a small overhead, and enough channels per tap that each micro-kernel call
     * runs long against its load and store of the C tile.
     */
    static boolean suits(ConvGeometry g) {
        return !g.isPointwise() && g.strideH() <= Integer.getInteger("infero.shifted.maxStride", 1)
                && g.strideW() <= Integer.getInteger("infero.shifted.maxStride", 1)
                && g.outW() >= Integer.getInteger("infero.shifted.minW", 24)
                && g.inChannelsPerGroup() >= Integer.getInteger("infero.shifted.minC", 20)
                && !Boolean.getBoolean("infero.shifted.off");
    }

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op */
    ShiftedConv(ConvGeometry geometry, float[] weights, PostOps post) {
        this.g = geometry;
        this.post = post;
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int taps = g.kernelH() * g.kernelW();
        int k = cin * taps;
        this.planeW = g.outW() + (g.kernelW() - 1) * g.dilationW() / g.strideW();
        this.planeH = g.outH() + (g.kernelH() - 1) * g.dilationH() / g.strideH();
        this.maxShift = (planeH - g.outH()) * planeW + planeW - g.outW();
        this.weights = new PackedGemm[g.groups()];
        float[] byTap = new float[cout * k];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = 0; co < cout; co++) {
                for (int c = 0; c < cin; c++) {
                    for (int t = 0; t < taps; t++) {
                        byTap[co * k + t * cin + c] = weights[((grp * cout + co) * cin + c) * taps + t];
                    }
                }
            }
            this.weights[grp] = new PackedGemm(cout, k, byTap, 0, k);
        }
        int[] slot = new int[g.strideH() * g.strideW()];
        Arrays.fill(slot, -1);
        int used = 0;
        for (int t = 0; t < taps; t++) {
            int phase = phase(t);
            if (slot[phase] < 0) {
                slot[phase] = used++;
            }
        }
        this.phases = new int[used];
        for (int p = 0; p < slot.length; p++) {
            if (slot[p] >= 0) {
                phases[slot[p]] = p;
            }
        }
        int total = roundUp(g.outH() * planeW, PackedGemm.NR);
        int rowsInBudget = Math.max(1, Integer.getInteger("infero.shifted.window", WINDOW_FLOATS) / (used * cin * planeW));
        int byCache = (rowsInBudget * planeW - maxShift) / PackedGemm.NR * PackedGemm.NR;
        this.maxChunk = Math.clamp(byCache, PackedGemm.NR, total);
        this.windowRows = rowsRead(maxChunk);
        this.ldb = windowRows * planeW;
        int segments = 0;
        int[] k0 = new int[taps * (k / PackedGemm.KC + 2)];
        int[] len = new int[k0.length];
        int[] b = new int[k0.length];
        for (int t = 0; t < taps; t++) {
            int shift = t / g.kernelW() * g.dilationH() / g.strideH() * planeW
                    + t % g.kernelW() * g.dilationW() / g.strideW();
            for (int p = t * cin; p < (t + 1) * cin; ) {
                int end = Math.min((t + 1) * cin, (p / PackedGemm.KC + 1) * PackedGemm.KC);
                k0[segments] = p;
                len[segments] = end - p;
                b[segments] = (slot[phase(t)] * cin + p - t * cin) * ldb + shift;
                segments++;
                p = end;
            }
        }
        this.segK0 = Arrays.copyOf(k0, segments);
        this.segLen = Arrays.copyOf(len, segments);
        this.segB = Arrays.copyOf(b, segments);
        int mode = Integer.getInteger("infero.shifted.pass", 0);
        int[] ps = new int[segments + 1];
        int np = 0;
        for (int s = 0; s < segments; s++) {
            boolean start = s == 0 || mode == 3 || (mode == 2 && segK0[s] % cin == 0)
                    || (mode == 1 && segK0[s] % (cin * g.kernelW()) == 0);
            if (start) ps[np++] = s;
        }
        ps[np++] = segments;
        this.passStart = Arrays.copyOf(ps, np);
    }

    /** The phase plane tap {@code t} reads: its offsets modulo the strides, as {@code py·sW + px}. */
    private int phase(int t) {
        int py = t / g.kernelW() * g.dilationH() % g.strideH();
        int px = t % g.kernelW() * g.dilationW() % g.strideW();
        return py * g.strideW() + px;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** Plane rows that {@code width} columns starting anywhere can read: the window height they need. */
    private int rowsRead(int width) {
        return (width - 1 + maxShift) / planeW + 2;
    }

    Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per-request scratch: each thread's input window and chunk result, and the current call's arguments. */
    final class Scratch {
        private final float[][] window;
        private final float[][] result;
        private final java.util.function.IntConsumer task;
        private float[] in;
        private float[] out;
        private float[] residual;
        private int threads;
        private int chunk;
        private int chunks;

        Scratch(int threads) {
            window = new float[threads][phases.length * g.inChannelsPerGroup() * ldb];
            result = new float[threads][g.outChannelsPerGroup() * maxChunk];
            task = this::runTask;
        }

        private void runTask(int t) {
            int items = g.batch() * g.groups() * chunks;
            for (int item = t; item < items; item += threads) {
                int grp = item / chunks % g.groups();
                int n = item / chunks / g.groups();
                chunk(in, out, residual, n, grp, item % chunks * chunk, chunk, window[t], result[t]);
            }
        }
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        int threads = Math.min(pool.threads(), s.window.length);
        int images = g.batch() * g.groups();
        int total = g.outH() * planeW;
        // Enough chunks that every thread has the same number, none wider than the cache budget.
        int chunks = (total + maxChunk - 1) / maxChunk;
        chunks = (roundUp(images * chunks, threads) + images - 1) / images;
        s.chunk = Math.min(maxChunk, roundUp((total + chunks - 1) / chunks, PackedGemm.NR));
        s.chunks = (total + s.chunk - 1) / s.chunk;
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.threads = threads;
        pool.parallelFor(Math.min(threads, images * s.chunks), s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** Padded-width output columns [j0, j0 + chunk) of one image and group, all output channels. */
    private void chunk(float[] in, float[] out, float[] residual, int n, int grp, int j0, int chunk, float[] window,
                       float[] result) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int inOff = (n * g.inChannels() + grp * cin) * g.inH() * g.inW();
        int firstRow = j0 / planeW;
        int width = roundUp(Math.min(chunk, g.outH() * planeW - j0), PackedGemm.NR);
        if (!NOCOPY) copyWindow(in, inOff, firstRow, Math.min(planeH, (j0 + width - 1 + maxShift) / planeW + 1), window);
        PackedGemm a = weights[grp];
        float[] packed = a.packed();
        int panels = (cout + PackedGemm.MR - 1) / PackedGemm.MR;
        int jWindow = j0 - firstRow * planeW;
        for (int q = 0; q + 1 < passStart.length; q++) {
        for (int j = 0; j < width; j += PackedGemm.NR) {
            for (int panel = 0; panel < panels; panel++) {
                int mr = Math.min(PackedGemm.MR, cout - panel * PackedGemm.MR);
                int cc = panel * PackedGemm.MR * width + j;
                for (int s = passStart[q]; s < passStart[q + 1]; s++) {
                    int p0 = segK0[s] / PackedGemm.KC * PackedGemm.KC;
                    int ai = a.blockOffset(panel, p0) + (segK0[s] - p0) * PackedGemm.MR;
                    PackedGemm.kernel(segLen[s], packed, ai, window, segB[s] + jWindow + j, ldb, result, cc, width,
                            mr, s == 0);
                }
            }
        }
        }
        store(result, width, out, residual, n, grp, j0);
    }

    /** Rows [from, to) of every phase plane of every channel of the group into the window, zero outside the input. */
    private void copyWindow(float[] in, int inOff, int from, int to, float[] window) {
        int cin = g.inChannelsPerGroup();
        int w = g.inW();
        int sw = g.strideW();
        for (int slot = 0; slot < phases.length; slot++) {
            int py = phases[slot] / sw;
            // Plane columns [v0, v1) hold input columns v·sW + px - padLeft inside [0, W); the rest is padding.
            int x0 = phases[slot] % sw - g.padLeft();
            int v0 = Math.min(planeW, x0 >= 0 ? 0 : (-x0 + sw - 1) / sw);
            int v1 = Math.clamp((w - x0 + sw - 1) / sw, v0, planeW);
            for (int c = 0; c < cin; c++) {
                int plane = inOff + c * g.inH() * w;
                for (int r = from; r < to; r++) {
                    int d = (slot * cin + c) * ldb + (r - from) * planeW;
                    int iy = r * g.strideH() + py - g.padTop();
                    if (iy < 0 || iy >= g.inH()) {
                        Arrays.fill(window, d, d + planeW, 0f);
                    } else {
                        Arrays.fill(window, d, d + v0, 0f);
                        int src = plane + iy * w + x0;
                        if (sw == 1) {
                            System.arraycopy(in, src + v0, window, d + v0, v1 - v0);
                        } else {
                            for (int v = v0; v < v1; v++) {
                                window[d + v] = in[src + v * sw];
                            }
                        }
                        Arrays.fill(window, d + v1, d + planeW, 0f);
                    }
                }
            }
        }
    }

    /** Moves the real columns of a chunk's result to the NCHW output, then applies the post-ops there. */
    private void store(float[] result, int width, float[] out, float[] residual, int n, int grp, int j0) {
        int cout = g.outChannelsPerGroup();
        int ow = g.outW();
        int spatial = g.outH() * ow;
        int j1 = Math.min(j0 + width, g.outH() * planeW);
        int y0 = j0 / planeW;
        int y1 = (j1 - 1) / planeW;
        int first = y0 * ow + Math.min(ow, j0 - y0 * planeW);
        int last = y1 * ow + Math.min(ow, j1 - y1 * planeW);
        for (int co = 0; co < cout; co++) {
            int channel = grp * cout + co;
            int outOff = (n * g.outChannels() + channel) * spatial;
            for (int y = y0; y <= y1; y++) {
                int xs = Math.max(0, j0 - y * planeW);
                int xe = Math.min(ow, j1 - y * planeW);
                if (xs < xe) {
                    System.arraycopy(result, co * width + y * planeW + xs - j0, out, outOff + y * ow + xs, xe - xs);
                }
            }
            post.apply(out, outOff + first, last - first, channel, residual);
        }
    }
}
