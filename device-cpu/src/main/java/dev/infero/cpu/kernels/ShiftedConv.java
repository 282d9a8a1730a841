package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.jit.Jit;
import java.util.Arrays;

/**
 * A stride-1 KH×KW convolution as a sum of shifted matrix products, without im2col (stride 2 too with generated
 * code: see {@link #copyWindow}). The input planes are copied
 * zero-padded to rows of {@code Wp = OW + (KW-1)·dW} floats (the padding columns are part of each row). Output
 * position {@code (y, x)} becomes column {@code j = y·Wp + x} of a padded-width output, and what tap {@code (kh, kw)}
 * reads there from channel c is {@code padded[c][j + kh·dH·Wp + kw·dW]}: for each tap, the rows of the im2col matrix
 * are the padded planes themselves, shifted by a constant and one plane apart. So with the weights packed with K
 * ordered (kh, kw, c), {@code C[Cout × OH·Wp] = Σ_tap W_tap · shifted_tap(padded)} runs on
 * {@link PackedGemm#kernel} with B read in place, one call per tap (per KC block of channels) on the same C tile,
 * which stays in registers over the tap and in L1 between taps; the Wp - OW columns past each row's end are computed
 * and dropped.
 * <p>
 * im2col writes and reads back KH·KW copies of the input in short row pieces; this copies it once, plus a halo of
 * KH-1 rows per chunk, at the price of the dropped columns (3×3, 1 thread, thread CPU time: 64×56×56→64 60 → 92
 * GFLOPS, 128×28×28→128 72 → 91, 256×14×14→256 76 → 81). The output columns are cut into chunks whose input window
 * (all channels) and result stay in L2 next to the packed weights; each thread copies its chunk's window right
 * before multiplying it, so B is cache-hot.
 */
final class ShiftedConv extends TiledConv {

    /**
     * Input window per chunk, in floats (256 KB): with the chunk's result it stays in L2. 32–64 K floats measured the
     * same; 128 K lost 8 % on 128×28×28 (the window no longer cache-hot when the GEMM reads it).
     */
    private static final int WINDOW_FLOATS = 64 * 1024;
    /**
     * Below this many input channels (the depth of one micro-kernel call), loading and storing the C tile at every tap
     * costs as much as im2col saves (measured: 16 channels lose 10 %, 20–24 tie at 56×56, 32 win 25 %).
     */
    private static final int MIN_CHANNELS = 24;
    /**
     * The same with generated code, whose segmented tiles stay in registers across all taps (no C tile loads and
     * stores per tap): here the copy that replaces im2col pays from 4 channels (1 thread, thread CPU time, im2col →
     * shifted: 4×240×320→16 1.11 → 0.88 ms, 8×240×320→16 1.90 → 1.41, 16×240×320→16 5.0 → 2.6, 12×120×160→24
     * 0.83 → 0.66, 8×56×56→32 0.138 → 0.100, 16×112×112→64 1.65 → 1.56). Stride 2 through phase planes
     * (ConvCpuTime, GFLOPS): 8×160×160→16 74 → 92, 24×104×104→48 105 → 131, 32×80×80→64 109 → 132; 3×3 stems
     * of 3 channels lose (3×224×224→32 100 → 85) and stay im2col; see {@link #WIDE_WINDOW_TAPS}.
     */
    private static final int MIN_CHANNELS_SEGMENTED = 4;
    /**
     * Kernel windows from this many taps (7×7) take the segmented path with any number of input channels: their
     * im2col copies 49 rows per channel (ResNet's 3→64 7×7/2 stem on 224×224: 135 → 156–162 GFLOPS), while 3×3 stems
     * of 3 channels lose (segments of 3 steps; 3×224×224→32 3×3/2 98–105 → 87–91).
     */
    private static final int WIDE_WINDOW_TAPS = 49;
    /** Most extra column panels the dropped columns may add, relative to the output's own, in percent. */
    private static final int MAX_EXTRA_PANELS_PERCENT = 15;

    private final PackedGemm[] weights;
    /**
     * Stride 2: the window copied channel by channel, both column phases of a row at once ({@link #copyPhases}); off
     * ({@code -Dinfero.jit.phasecopy=off}, for A/B runs) phase by phase as before.
     */
    private final boolean phasePairs = !Jit.switchedOff("phasecopy");
    /** The stride (1, or 2 through phase planes, see {@link #copyWindow}). */
    private final int stride;
    /** Row length of a padded plane and of the padded-width output. */
    private final int paddedW;
    private final int paddedH;
    /** Largest distance from an output column to the input it reads: the last tap's shift. */
    private final int maxShift;
    /** Output columns (padded width) per chunk at most, a multiple of NR. */
    private final int maxChunk;
    /** Stride between the channels of a window, the B leading dimension: what a chunk of maxChunk columns reads. */
    private final int ldb;
    /** K segments: a tap's channels, cut at KC-block boundaries (where the packed weights jump). */
    private final int[] segK0;
    private final int[] segLen;
    /** Where a segment's first B row starts in the window, for output column 0 of the window's first row. */
    private final int[] segB;
    /**
     * Generated code: per register tile (indexed by its first row panel), its taps as one segment table; per mr, the
     * kernel; else {@code null}.
     */
    private final GemmKernel.Segments[] panelSegments;
    private final GemmKernel[] segmentedKernels;
    /** Row panels per generated tile ({@link MicroKernel#tilePanels}), 1 for the Vector API kernel. */
    private final int tilePanels;

    /**
     * Whether this beats im2col: stride 1 (or 2 with generated segmented tiles, through phase planes) and a real
     * kernel window (1×1 is a plain product already), enough input
     * channels that each micro-kernel call runs long against its load and store of the C tile, and outputs wide
     * enough that the dropped columns add few column panels (tiny outputs such as 5×5 would double them). Outputs of
     * a few column panels (7×7) stay with im2col, whose rows-outer loop streams their megabytes of weights once.
     */
    static boolean suits(ConvGeometry g) {
        return suits(g, false);
    }

    /** As {@link #suits(ConvGeometry)}, for generated segmented tiles when {@code segmented} (JIT on). */
    static boolean suits(ConvGeometry g, boolean segmented) {
        int s = g.strideW();
        boolean stride = s == 1 && g.strideH() == 1
                || segmented && s == 2 && g.strideH() == 2 && g.dilationH() == 1 && g.dilationW() == 1;
        if (!stride || g.kernelH() * g.kernelW() == 1
                || g.inChannelsPerGroup() < (!segmented ? MIN_CHANNELS
                        : g.kernelH() * g.kernelW() >= WIDE_WINDOW_TAPS ? 1 : MIN_CHANNELS_SEGMENTED)
                || PackedGemm.fewColumns(g.outH() * g.outW())) {
            return false;
        }
        int padded = g.outH() * (g.outW() + (g.kernelW() - 1) * g.dilationW() / s);
        int panels = panels(g.outH() * g.outW());
        return panels(padded) * 100 <= panels * (100 + MAX_EXTRA_PANELS_PERCENT);
    }

    private static int panels(int columns) {
        return (columns + PackedGemm.NR - 1) / PackedGemm.NR;
    }

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op */
    ShiftedConv(ConvGeometry geometry, float[] weights) {
        this(geometry, weights, MicroKernel.forCompilation());
    }

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op; {@code micro} runs the tiles */
    ShiftedConv(ConvGeometry geometry, float[] weights, MicroKernel micro) {
        super(geometry, micro);
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int taps = g.kernelH() * g.kernelW();
        int k = cin * taps;
        this.stride = g.strideW();
        this.paddedW = g.outW() + (g.kernelW() - 1) * g.dilationW() / stride;
        this.paddedH = g.outH() + (g.kernelH() - 1) * g.dilationH() / stride;
        this.maxShift = (paddedH - g.outH()) * paddedW + paddedW - g.outW();
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
            this.weights[grp] = new PackedGemm(cout, k, byTap, 0, k, micro);
        }
        int total = roundUp(g.outH() * paddedW, PackedGemm.NR);
        int rowsInBudget = Math.max(1, WINDOW_FLOATS / (stride * stride * cin * paddedW));
        this.maxChunk = Math.clamp((rowsInBudget * paddedW - maxShift) / PackedGemm.NR * PackedGemm.NR,
                PackedGemm.NR, total);
        // Stride 2: room past each channel's rows for the whole-vector row copies' overrun (see copyPhases).
        this.ldb = rowsRead(maxChunk) * paddedW + (stride == 2 ? WindowKernel.overrun() : 0);
        int segments = 0;
        int[] k0 = new int[taps * (k / PackedGemm.KC + 2)];
        int[] len = new int[k0.length];
        int[] b = new int[k0.length];
        for (int t = 0; t < taps; t++) {
            // Stride s: tap (kh, kw) reads phase (kh mod s, kw mod s) of the window, shifted by (kh / s, kw / s).
            int kh = t / g.kernelW() * g.dilationH();
            int kw = t % g.kernelW() * g.dilationW();
            int shift = kh / stride * paddedW + kw / stride;
            int phase = (kh % stride * stride + kw % stride) * cin * ldb;
            for (int p = t * cin; p < (t + 1) * cin; ) {
                int end = Math.min((t + 1) * cin, (p / PackedGemm.KC + 1) * PackedGemm.KC);
                k0[segments] = p;
                len[segments] = end - p;
                b[segments] = phase + (p - t * cin) * ldb + shift;
                segments++;
                p = end;
            }
        }
        this.segK0 = Arrays.copyOf(k0, segments);
        this.segLen = Arrays.copyOf(len, segments);
        this.segB = Arrays.copyOf(b, segments);
        // With generated code, one call per register tile (tilePanels consecutive row panels: 12 rows with
        // AVX-512) sweeps its columns, the tile in registers across all taps.
        int panels = (cout + PackedGemm.MR - 1) / PackedGemm.MR;
        this.tilePanels = micro.isJit() ? micro.tilePanels() : 1;
        int tileRows = tilePanels * PackedGemm.MR;
        this.panelSegments = micro.isJit() ? new GemmKernel.Segments[panels] : null;
        this.segmentedKernels = micro.isJit() ? new GemmKernel[tileRows] : null;
        for (int panel = 0; micro.isJit() && panel < panels; panel += tilePanels) {
            boolean two = panel + 1 < panels && tilePanels == 2;
            int[] aOff = new int[segments];
            int[] aSecond = two ? new int[segments] : null;
            for (int s = 0; s < segments; s++) {
                int p0 = segK0[s] / PackedGemm.KC * PackedGemm.KC;
                aOff[s] = this.weights[0].blockOffset(panel, p0) + (segK0[s] - p0) * PackedGemm.MR;
                if (two) {
                    aSecond[s] = this.weights[0].blockOffset(panel + 1, p0) + (segK0[s] - p0) * PackedGemm.MR;
                }
            }
            panelSegments[panel] = new GemmKernel.Segments(aOff, aSecond, segB, segLen,
                    PackedGemm.MR, ldb);
            // Generated at compile time: a layer has at most two row counts (full tiles and the last one).
            int mr = Math.min(tileRows, cout - panel * PackedGemm.MR);
            if (segmentedKernels[mr - 1] == null) {
                segmentedKernels[mr - 1] = micro.segmented(mr);
            }
        }
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /**
     * Padded rows that {@code width} columns starting anywhere can read, the junk columns' reads past the last real
     * one included: a window this high keeps every read of a chunk inside its channel.
     */
    private int rowsRead(int width) {
        return (width - 1 + maxShift) / paddedW + 2;
    }

    /**
     * With generated segmented tiles: the post-ops after each tile's last segment (all taps and K blocks sum in
     * registers first, so they apply once); kernels indexed by rows − 1. The residual is staged into the chunk's
     * result at the stored positions (padded-width columns) before the tiles run.
     */
    @Override
    Epilogue epilogue(PostOps post) {
        MicroKernel.Fused fused = panelSegments == null ? null : micro.fuse(post);
        if (fused == null) {
            return null;
        }
        GemmKernel[] kernels = new GemmKernel[segmentedKernels.length];
        for (int mr = 1; mr <= kernels.length; mr++) {
            if (segmentedKernels[mr - 1] != null) {
                kernels[mr - 1] = fused.segmented(mr);
            }
        }
        return new Epilogue(kernels, fused.scale, fused.bias, fused.alpha, fused.beta, fused.slopes);
    }

    @Override
    Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per-request scratch: each thread's input window and chunk result. */
    final class Scratch extends TiledConv.Scratch {
        private final float[][] window;
        private final float[][] result;
        /** Chunks per image and group in this call ({@link PackedGemm#panelCut}). */
        private int chunks;

        Scratch(int threads) {
            super(threads);
            window = new float[threads][stride * stride * g.inChannelsPerGroup() * ldb];
            result = new float[threads][g.outChannelsPerGroup() * maxChunk];
        }

        /**
         * Chunks of padded-width columns, as many for every thread, none wider than the cache budget, cut at whole
         * panels as evenly as they go (a fixed width rounded up to whole panels left the last chunk short: 128×28×28
         * 3×3 on 2 threads ran 448 and 392 columns).
         */
        @Override
        int split(int threads) {
            int images = g.batch() * g.groups();
            int total = g.outH() * paddedW;
            int even = (total + maxChunk - 1) / maxChunk;
            even = (roundUp(images * even, threads) + images - 1) / images;
            chunks = Math.min(even, (total + PackedGemm.NR - 1) / PackedGemm.NR);
            return images * chunks;
        }

        /** Item {@code item} (a chunk of padded-width columns of one image and group) on slot {@code t}. */
        @Override
        void item(int item, int t) {
            int grp = item / chunks % g.groups();
            int n = item / chunks / g.groups();
            int total = g.outH() * paddedW;
            int j0 = PackedGemm.panelCut(total, chunks, item % chunks);
            int j1 = PackedGemm.panelCut(total, chunks, item % chunks + 1);
            if (j0 < j1) {
                chunk(this, n, grp, j0, j1, window[t], result[t]);
            }
        }
    }

    /** Padded-width output columns [j0, j1) of one image and group, all output channels. */
    private void chunk(Scratch s, int n, int grp, int j0, int j1, float[] window, float[] result) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        PostOps post = s.post;
        Epilogue e = s.epilogue;
        int firstRow = j0 / paddedW;
        // Whole column panels: the last one's junk columns read the window's slack, never past it.
        int width = roundUp(j1 - j0, PackedGemm.NR);
        copyWindow(s.in, (n * g.inChannels() + grp * cin) * g.inH() * g.inW(), firstRow,
                Math.min(paddedH, (j0 + width - 1 + maxShift) / paddedW + 1), window);
        PackedGemm a = weights[grp];
        float[] packed = a.packed();
        int panels = (cout + PackedGemm.MR - 1) / PackedGemm.MR;
        int b0 = j0 - firstRow * paddedW;
        if (panelSegments != null && !post.integerSums()) {
            if (e != null && post.hasResidual()) {
                // Read by the tiles at the positions they store.
                move(s.residual, 0, result, width, n, grp, j0, false, null, null);
            }
            for (int panel = 0; panel < panels; panel += tilePanels) {
                int mr = Math.min(tilePanels * PackedGemm.MR, cout - panel * PackedGemm.MR);
                int cOff = panel * PackedGemm.MR * width;
                if (e == null) {
                    segmentedKernels[mr - 1].runSegmented(panelSegments[panel], width / PackedGemm.NR, packed, 0,
                            window, b0, ldb, PackedGemm.NR, result, cOff, width, PackedGemm.NR);
                } else {
                    int channel = grp * cout + panel * PackedGemm.MR;
                    e.kernels[mr - 1].runSegmented(panelSegments[panel], width / PackedGemm.NR, packed, 0, window,
                            b0, ldb, PackedGemm.NR, result, cOff, width, PackedGemm.NR, e.scale, channel, e.bias,
                            channel, post.hasResidual() ? result : null, e.alpha, e.beta, e.slopes, channel);
                }
            }
            move(s.out, s.outBase, result, width, n, grp, j0, true, e == null ? post : null, s.residual);
            return;
        }
        for (int j = 0; j < width; j += PackedGemm.NR) {
            for (int panel = 0; panel < panels; panel++) {
                int mr = Math.min(PackedGemm.MR, cout - panel * PackedGemm.MR);
                int cc = panel * PackedGemm.MR * width + j;
                for (int seg = 0; seg < segK0.length; seg++) {
                    int p0 = segK0[seg] / PackedGemm.KC * PackedGemm.KC;
                    int ai = a.blockOffset(panel, p0) + (segK0[seg] - p0) * PackedGemm.MR;
                    micro.tile(segLen[seg], packed, ai, window, segB[seg] + b0 + j, ldb, result, cc, width, mr,
                            seg == 0, post.integerSums());
                }
            }
        }
        move(s.out, s.outBase, result, width, n, grp, j0, true, post, s.residual);
    }

    /**
     * Padded rows [from, to) of every channel of the group into the window, zero outside the input. With stride 2
     * the window holds four phase planes, phase (py, px) of channel c at {@code ((py·2 + px)·cin + c)·ldb}: its
     * padded row r, column x is input row {@code 2r + py - padTop}, column {@code 2x + px - padLeft}, so every tap
     * reads one phase at a constant shift, as with stride 1.
     */
    private void copyWindow(float[] in, int inOff, int from, int to, float[] window) {
        if (stride == 2 && phasePairs) {
            copyPhases(in, inOff, from, to, window);
            return;
        }
        int w = g.inW();
        int cin = g.inChannelsPerGroup();
        for (int py = 0; py < stride; py++) {
            for (int px = 0; px < stride; px++) {
                // Padded columns [x0, x0 + len) hold input columns ix0, ix0 + stride, ...; the rest is padding.
                int x0 = Math.max(0, (g.padLeft() - px + stride - 1) / stride);
                int ix0 = stride * x0 + px - g.padLeft();
                int len = Math.clamp(Math.min((w - ix0 + stride - 1) / stride, paddedW - x0), 0, paddedW - x0);
                int phase = (py * stride + px) * cin * ldb;
                for (int c = 0; c < cin; c++) {
                    int plane = inOff + c * g.inH() * w;
                    for (int r = from; r < to; r++) {
                        int d = phase + c * ldb + (r - from) * paddedW;
                        int iy = stride * r + py - g.padTop();
                        if (iy < 0 || iy >= g.inH() || len == 0) {
                            Arrays.fill(window, d, d + paddedW, 0f);
                        } else {
                            Arrays.fill(window, d, d + x0, 0f);
                            WindowKernel.copyStrided(in, plane + iy * w + ix0, stride, window, d + x0, 0, len);
                            Arrays.fill(window, d + x0 + len, d + paddedW, 0f);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #copyWindow} at stride 2: channel by channel, the input rows in order (each read once, from one
     * contiguous run of the plane, for both column phases), each phase row copied in whole vectors. A copy's overrun
     * past its row's end lands in the row's right padding (written next), in the channel's next row (written later)
     * or in the slack {@link #ldb} leaves past each channel's rows, never in a row already written. (Phase by phase
     * over all channels, rows two apart of 128 planes, the copy took a fifth of a 128×56×56→128 3×3/2 layer.)
     */
    private void copyPhases(float[] in, int inOff, int from, int to, float[] window) {
        int w = g.inW();
        int h = g.inH();
        int cin = g.inChannelsPerGroup();
        // Column phase px starts at padded column x0[px] with input column ix0 = 2·x0 + px − padLeft, which is 0 for
        // one phase and 1 for the other: the even lanes of a row go to phase pe, the odd ones to the other.
        int pe = g.padLeft() % 2;
        int po = 1 - pe;
        int x0e = (g.padLeft() - pe + 1) / 2;
        int x0o = (g.padLeft() - po + 1) / 2;
        int lenE = Math.clamp(Math.min((w + 1) / 2, paddedW - x0e), 0, paddedW - x0e);
        int lenO = Math.clamp(Math.min(w / 2, paddedW - x0o), 0, paddedW - x0o);
        int len = Math.max(lenE, lenO);
        for (int c = 0; c < cin; c++) {
            int plane = inOff + c * h * w;
            for (int r = from; r < to; r++) {
                for (int py = 0; py < 2; py++) {
                    int iy = 2 * r + py - g.padTop();
                    int de = ((py * 2 + pe) * cin + c) * ldb + (r - from) * paddedW;
                    int dodd = ((py * 2 + po) * cin + c) * ldb + (r - from) * paddedW;
                    if (iy < 0 || iy >= h || len == 0) {
                        Arrays.fill(window, de, de + paddedW, 0f);
                        Arrays.fill(window, dodd, dodd + paddedW, 0f);
                        continue;
                    }
                    WindowKernel.copyPhasesOver(in, plane + iy * w, window, de + x0e, dodd + x0o, len);
                    pad(window, de, x0e, lenE);
                    pad(window, dodd, x0o, lenO);
                }
            }
        }
    }

    /** Zeroes a padded phase row's columns outside [x0, x0 + len) (the latter after a copy's overrun). */
    private void pad(float[] window, int d, int x0, int len) {
        for (int x = 0; x < x0; x++) {
            window[d + x] = 0f;
        }
        for (int x = x0 + len; x < paddedW; x++) {
            window[d + x] = 0f;
        }
    }

    /**
     * Moves the real columns of a chunk's result to the NCHW tensor {@code nchw} ({@code toTensor}), each channel
     * then getting {@code post} in Java unless it is {@code null} (applied in the tiles); or the chunk's columns of
     * {@code nchw} into the result's layout (the residual that the tiles add where they store).
     */
    private void move(float[] nchw, int outBase, float[] result, int width, int n, int grp, int j0, boolean toTensor,
                      PostOps post, float[] residual) {
        int cout = g.outChannelsPerGroup();
        int ow = g.outW();
        int spatial = g.outH() * ow;
        int j1 = Math.min(j0 + width, g.outH() * paddedW);
        int y0 = j0 / paddedW;
        int y1 = (j1 - 1) / paddedW;
        // The chunk's outputs of one channel are contiguous in NCHW: [first, last).
        int first = y0 * ow + Math.min(ow, j0 - y0 * paddedW);
        int last = y1 * ow + Math.min(ow, j1 - y1 * paddedW);
        for (int co = 0; co < cout; co++) {
            int channel = grp * cout + co;
            // The tensor's own indexes for a residual read in; written at the call's base (an in-place Concat input).
            int outOff = (toTensor ? outBase : 0) + (n * g.outChannels() + channel) * spatial;
            for (int y = y0; y <= y1; y++) {
                int xs = Math.max(0, j0 - y * paddedW);
                int xe = Math.min(ow, j1 - y * paddedW);
                if (xs < xe) {
                    int r = co * width + y * paddedW + xs - j0;
                    int o = outOff + y * ow + xs;
                    if (toTensor) {
                        System.arraycopy(result, r, nchw, o, xe - xs);
                    } else {
                        System.arraycopy(nchw, o, result, r, xe - xs);
                    }
                }
            }
            if (toTensor && post != null) {
                // While the channel's run is in L1.
                post.apply(nchw, outOff + first, last - first, channel, residual);
            }
        }
    }
}
