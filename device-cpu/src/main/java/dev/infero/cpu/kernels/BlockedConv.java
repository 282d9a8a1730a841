package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.BlockedConvKernel;
import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.jit.PackedWeights;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-group FP32 convolution writing the channel-blocked layout nChw16c (element (c, h, w) of an image at
 * {@code ((c / 16) · OH + h) · OW · 16 + w · 16 + c % 16}), run by generated code ({@link BlockedConvKernel}) from
 * blocked input (the same layout over the input's channels) or NCHW planes (stems).
 *
 * <p>Work of one image is cut into {@link #items()} items: groups of {@code ocb} output blocks (the register tile's
 * blocks) × bands of output rows; each item writes a disjoint part of the output, so items may run on any threads in
 * any order ({@link #runItem}); nothing of a call is kept in fields.
 *
 * <p>Tile rule (AVX-512, at most 28 accumulators; BlockedConvCpuTime, docs/jit.md "The FP32 blocked convolution"):
 * 1×1 kernels, and any kernel on rows of at least {@link #WIDE_ROW} pixels, with at least two output blocks take a
 * tile that broadcasts through registers, 4 blocks × 6 pixels, 3 × 7 or 2 × 10, whichever costs the fewest issue
 * slots for the row ({@link #rowCost}: 56-wide rows 4 × 6, 14-wide 4 × 5, 7-wide 3 × 7; 1 thread, median ms
 * against 2 blocks × 14 pixels with the embedded broadcast: 64×56×56→256 1×1 0.399 vs 0.464, 256×56×56→128 0.798
 * vs 0.887, 512×7×7→2048 0.408 vs 0.435, 64×56×56→64 3×3 0.890 vs 0.940). Other layers take 1 block × up to 28
 * pixels of a row with the embedded broadcast, and rows narrower than 14 pixels several rows (14×14: 1 × 14 × 2
 * rows, 256×14×14→256 3×3 0.85 ms against 0.95 for 4 × 5 through registers; 7×7: 1 × 7 × 4, 512×7×7→512 3×3 0.86
 * against 0.96 for 2 × 7). Rows are cut into equal tiles ({@code balanced}), output rows into tiles of {@code tr}
 * rows from each band's start; the rows left at the end of a run of rows that read the same kernel rows take a
 * kernel of that many rows. AVX2: 1 block (two ymm) × up to 6 pixels. Bands of output rows: at least 4 items, and
 * input bands within {@link #L2_BAND_BYTES}. {@code -Dinfero.jit.blocked.tile=OCBxOW[xTR]} overrides the tile
 * (benchmarks).
 */
public final class BlockedConv implements BlockedLayerWork {
    private static final int BLOCK = BlockedConvKernel.BLOCK;
    /** Most input bytes of one band of output rows (half the 2 MB L2 of a core). */
    static final long L2_BAND_BYTES = 1 << 20;
    /**
     * Layers with more packed weights than this stream them from memory once per image (7×7 and 14×14 planes of
     * 256–2048 channels): the generated code prefetches each weight vector's line {@link #PREFETCH_AHEAD} bytes
     * ahead (BlockedConvCpuTime, 1 thread, median ms without → with: 512×7×7→2048 1×1 0.92 → 0.69, 512×7×7→512 3×3
     * 1.81 → 1.26, 2048×7×7→512 1×1 0.81 → 0.54; 1024 and 512 bytes ahead gained less, 64×56×56→64 3×3 and
     * 256×56×56→64 1×1 unchanged either way). {@code -Dinfero.jit.blocked.prefetch=BYTES} overrides (0: none).
     */
    static final long PREFETCH_WEIGHT_BYTES = 1 << 20;
    static final int PREFETCH_AHEAD = 4096;
    /**
     * Rows at least this wide take tiles broadcasting through registers for every kernel size; narrower rows only
     * for 1×1 kernels (3×3 at 14² and 7²: 1 block × 14 × 2 rows and 1 × 7 × 4 read each weight vector into more
     * FMAs, 0.85 vs 0.95 ms for 512×7×7→512).
     */
    static final int WIDE_ROW = 28;
    /** Issue slots a tile costs besides its FMAs and loads, for {@link #rowCost}. */
    static final int TILE_OVERHEAD = 6;

    private final ConvGeometry g;
    private final Jit.Isa isa;
    private final boolean inputBlocked;
    private final int ocb;
    private final int outBlocks;
    private final int groups;
    private final int bands;
    /** Rows of the register tile, and row tiles of the output. */
    private final int tr;
    private final int rowTiles;
    private final int groupFloats;
    /** The packed weights and constants of all groups, 64-byte aligned off the heap ({@link PackedWeights}). */
    private final MemorySegment packed;
    private final int rStride;
    private final boolean residual;
    /** Per item, its calls: kernel, first output row, rows. */
    private final BlockedConvKernel[][] callKernel;
    private final int[][] callFrom;
    private final int[][] callRows;
    /** {@code OCBxOWxTR}, for {@link #toString}. */
    private final String tileName;

    /**
     * The blocked convolution of {@code g} (batch ignored: the caller loops images through the offsets) with
     * {@code weights} [Cout][Cin][KH][KW] and {@code post}, reading blocked input ({@code inputBlocked}) or NCHW
     * planes. {@code null} when {@code Jit.isa("blocked")} is null (JIT off, {@code -Dinfero.jit.blocked=off}) or the
     * layer is not supported (groups other than 1, kernels past 15, post-ops writing INT8 codes or taking int32 sums).
     */
    public static BlockedConv of(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked) {
        return of(g, weights, post, inputBlocked, Jit.isa("blocked"));
    }

    /** {@link #of(ConvGeometry, float[], PostOps, boolean)} for code of {@code isa} (tests: both ISAs). */
    static BlockedConv of(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked, Jit.Isa isa) {
        return of(g, weights, post, inputBlocked, isa, null, -1);
    }

    /**
     * As above with the register tile {ocb, ow, tr} (or null for the rule's) and the weight prefetch distance in
     * bytes (-1 for the rule's) given (tests).
     */
    static BlockedConv of(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked, Jit.Isa isa,
                          int[] tile, int prefetch) {
        if (isa == null || g.groups() != 1 || post.depthwiseJitActivation() == null
                || g.kernelH() > BlockedConvKernel.MAX_KERNEL || g.kernelW() > BlockedConvKernel.MAX_KERNEL
                || g.outH() < 1 || g.outW() < 1 || g.inH() < 1 || g.inW() < 1) {
            return null;
        }
        long inBlocks = (g.inChannels() + BLOCK - 1) / BLOCK;
        long outBlocks = (g.outChannels() + BLOCK - 1) / BLOCK;
        if (inBlocks * BLOCK * g.inH() * g.inW() > Integer.MAX_VALUE / 8
                || outBlocks * BLOCK * g.outH() * g.outW() > Integer.MAX_VALUE / 8
                || outBlocks * BLOCK * inBlocks * BLOCK * g.kernelH() * g.kernelW() > Integer.MAX_VALUE / 8) {
            return null;
        }
        if ((long) weights.length != (long) g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW()) {
            throw new IllegalArgumentException("blocked convolution: " + weights.length + " weights for " + g);
        }
        if (tile != null && (tile.length != 4 || tile[2] < 1 || !(tile[3] != 0
                ? BlockedConvKernel.fitsBroadcastRegs(isa, tile[0], tile[1] * tile[2])
                : BlockedConvKernel.fits(isa, tile[0], tile[1] * tile[2])))) {
            throw new IllegalArgumentException("blocked convolution: tile " + Arrays.toString(tile)
                    + " does not fit " + isa);
        }
        return new BlockedConv(g, weights, post, inputBlocked, isa, tile, prefetch);
    }

    /**
     * {ocb, ow, tr, regs}: output blocks, pixels per row and rows of the register tile, and 1 when it broadcasts
     * through registers ({@link BlockedConvKernel.Key#broadcastRegs}), else 0 (see the class comment);
     * {@code -Dinfero.jit.blocked.tile=OCBxOW[xTR]} forces one (through registers when it fits them).
     */
    static int[] tile(Jit.Isa isa, int outBlocks, int outH, int outW, boolean pointwise) {
        String forced = System.getProperty("infero.jit.blocked.tile");
        if (forced != null && !forced.isBlank()) {
            String[] parts = forced.trim().split("x");
            int o = Math.min(Integer.parseInt(parts[0]), outBlocks);
            int w = Math.min(Integer.parseInt(parts[1]), outW);
            int r = parts.length > 2 ? Math.min(Integer.parseInt(parts[2]), outH) : 1;
            boolean regs = BlockedConvKernel.fitsBroadcastRegs(isa, o, w * r);
            if (!regs && !BlockedConvKernel.fits(isa, o, w * r)) {
                throw new IllegalArgumentException("infero.jit.blocked.tile: unsupported tile " + forced);
            }
            return new int[] {o, w, r, regs ? 1 : 0};
        }
        if (isa.evex() && outBlocks >= 2 && (pointwise || outW >= WIDE_ROW)) {
            int[] best = null;
            long bestCost = Long.MAX_VALUE;
            for (int o = Math.min(4, outBlocks); o >= 2; o--) {
                int most = 1;
                while (BlockedConvKernel.fitsBroadcastRegs(isa, o, most + 1)) {
                    most++;
                }
                int ow = balanced(outW, most);
                long cost = rowCost(outBlocks, o, outW, ow);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = new int[] {o, ow, 1, 1};
                }
            }
            return best;
        }
        int most = BlockedConvKernel.maxAccumulators(isa) * isa.lanes() / BLOCK;
        int ow = balanced(outW, most);
        return new int[] {1, ow, balanced(outH, most / ow), 0};
    }

    /**
     * The issue slots of one output row of all {@code outBlocks} blocks with tiles of {@code o} blocks × {@code ow}
     * pixels broadcast through registers, per input channel and tap: per tile its FMAs, its loads (a broadcast per
     * pixel, a weight vector per block) and {@link #TILE_OVERHEAD} (the tail group of fewer blocks and the tail
     * segment of fewer pixels included).
     */
    static long rowCost(int outBlocks, int o, int outW, int ow) {
        int groups = (outBlocks + o - 1) / o;
        long cost = 0;
        for (int g = 0; g < groups; g++) {
            int b = Math.min(o, outBlocks - g * o);
            cost += (long) (outW / ow) * (b * ow + b + ow + TILE_OVERHEAD);
            int tail = outW % ow;
            cost += tail > 0 ? b * tail + b + tail + TILE_OVERHEAD : 0;
        }
        return cost;
    }

    /** Pixels per tile for rows of {@code outW} cut into equal tiles of at most {@code most}. */
    private static int balanced(int outW, int most) {
        int segments = (outW + most - 1) / most;
        return (outW + segments - 1) / segments;
    }

    private BlockedConv(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked, Jit.Isa isa,
                        int[] tile, int prefetchBytes) {
        this.g = g;
        this.isa = isa;
        this.inputBlocked = inputBlocked;
        this.residual = post.hasResidual();
        int cout = g.outChannels();
        int cin = g.inChannels();
        int inBlocks = (cin + BLOCK - 1) / BLOCK;
        this.outBlocks = (cout + BLOCK - 1) / BLOCK;
        int[] t = tile != null ? tile : tile(isa, outBlocks, g.outH(), g.outW(), g.kernelH() * g.kernelW() == 1);
        this.ocb = t[0];
        int ow = t[1];
        this.tr = t[2];
        boolean regs = t[3] != 0;
        this.rowTiles = (g.outH() + tr - 1) / tr;
        this.groups = (outBlocks + ocb - 1) / ocb;
        int tailBlocks = outBlocks - (groups - 1) * ocb;
        // At least 4 items; bands whose input rows fit in L2_BAND_BYTES, so the groups of a band (consecutive
        // items) find them in L2.
        long inRowBytes = 4L * (inputBlocked ? inBlocks * BLOCK : cin) * g.inW() * g.strideH();
        long inBytes = inRowBytes * g.outH();
        int forL2 = (int) Math.min(g.outH(), (inBytes + L2_BAND_BYTES - 1) / L2_BAND_BYTES);
        this.bands = Math.max(1, Math.min(rowTiles, Math.max(forL2, (4 + groups - 1) / groups)));
        this.groupFloats = BlockedConvKernel.groupFloats(ocb, inBlocks, g.kernelH(), g.kernelW());
        DepthwiseKernel.Activation act = post.depthwiseJitActivation();
        float[] alphas = new float[cout];
        for (int c = 0; c < cout; c++) {
            alphas[c] = post.jitAlpha(c);
        }
        float[] packed = new float[(groups - 1) * groupFloats
                + BlockedConvKernel.groupFloats(tailBlocks, inBlocks, g.kernelH(), g.kernelW())];
        for (int gr = 0; gr < groups; gr++) {
            int blocks = gr == groups - 1 ? tailBlocks : ocb;
            BlockedConvKernel.pack(weights, cout, cin, g.kernelH(), g.kernelW(), gr * ocb, blocks, packed,
                    gr * groupFloats, post.jitScale(), post.jitBias(), alphas, post.jitAlpha(), post.jitBeta());
        }
        int plane = g.inH() * g.inW();
        int cStride = inputBlocked ? 1 : plane;
        int pStride = inputBlocked ? BLOCK : 1;
        this.rStride = inputBlocked ? BLOCK * g.inW() : g.inW();
        int bStride = BLOCK * plane;
        int prefetch = prefetchBytes >= 0 ? prefetchBytes : Integer.getInteger("infero.jit.blocked.prefetch",
                4L * packed.length > PREFETCH_WEIGHT_BYTES ? PREFETCH_AHEAD : 0);
        this.packed = PackedWeights.of(packed);
        Map<List<Object>, BlockedConvKernel> kernels = new HashMap<>();
        KernelCache cache = KernelCache.current();
        int outPlane = g.outH() * g.outW() * BLOCK;
        // Each item's calls: its band's rows in tiles of tr rows from the band's first; consecutive tiles whose
        // rows read the same kernel rows (all but the top and bottom padding rows) in one call.
        int items = groups * bands;
        callKernel = new BlockedConvKernel[items][];
        callFrom = new int[items][];
        callRows = new int[items][];
        for (int item = 0; item < items; item++) {
            int group = item % groups;
            int band = item / groups;
            int blocks = group == groups - 1 ? tailBlocks : ocb;
            int y0 = Math.min(g.outH(), tr * (int) ((long) rowTiles * band / bands));
            int y1 = Math.min(g.outH(), tr * (int) ((long) rowTiles * (band + 1) / bands));
            List<BlockedConvKernel> ks = new ArrayList<>();
            List<int[]> spans = new ArrayList<>();
            List<Integer> previous = null;
            for (int y = y0; y < y1; y += tr) {
                int rows = Math.min(tr, y1 - y);
                List<Integer> ranges = new ArrayList<>();
                for (int j = 0; j < rows; j++) {
                    ranges.add(kyLo(y + j));
                    ranges.add(Math.max(kyLo(y + j), kyHi(y + j)));
                }
                if (ranges.equals(previous)) {
                    spans.getLast()[1] += rows;
                    continue;
                }
                previous = ranges;
                ks.add(kernels.computeIfAbsent(List.of(ranges, blocks), x -> new BlockedConvKernel(cache,
                        new BlockedConvKernel.Key(isa, blocks, ow, rows, cin / BLOCK, cin % BLOCK, cStride, pStride,
                                rStride, bStride, g.inW(), g.kernelH(), g.kernelW(), ranges, g.strideH(),
                                g.strideW(), g.dilationH(), g.dilationW(), g.padLeft(), g.outW(), outPlane, prefetch,
                                post.jitScale() != null, post.jitBias() != null, residual, act,
                                regs && BlockedConvKernel.fitsBroadcastRegs(isa, blocks, ow * rows)))));
                spans.add(new int[] {y, rows});
            }
            callKernel[item] = ks.toArray(BlockedConvKernel[]::new);
            callFrom[item] = spans.stream().mapToInt(x -> x[0]).toArray();
            callRows[item] = spans.stream().mapToInt(x -> x[1]).toArray();
        }
        this.tileName = ocb + "x" + ow + "x" + tr + (regs ? "r" : "");
    }

    /** The first kernel row output row {@code y} reads (those before fall in the top padding). */
    private int kyLo(int y) {
        long top = g.padTop() - (long) g.strideH() * y;
        return (int) Math.clamp(Math.ceilDiv(top, g.dilationH()), 0, g.kernelH());
    }

    /** One past the last kernel row output row {@code y} reads. */
    private int kyHi(int y) {
        long bottom = g.inH() + g.padTop() - (long) g.strideH() * y;
        return (int) Math.clamp(Math.ceilDiv(bottom, g.dilationH()), 0, g.kernelH());
    }

    /** Work items per image: groups of output blocks × bands of output rows. */
    @Override
    public int items() {
        return groups * bands;
    }

    /**
     * Item {@code item} (0 … {@link #items()} − 1) of one image: reads the image at {@code in[inOff ..]} (blocked
     * [Cb_in][IH][IW][16] or NCHW [Cin][IH][IW]) and writes its part of the blocked output [Cb_out][OH][OW][16] at
     * {@code out[outOff ..]}, adding {@code residual} (blocked like the output, at the same offsets; required when
     * the post-ops add one, else ignored). Items may run at once on different threads.
     */
    public void runItem(float[] in, int inOff, float[] out, int outOff, float[] residual, int item) {
        if (item < 0 || item >= items()) {
            throw new IndexOutOfBoundsException("blocked convolution item " + item + " of " + items());
        }
        if (this.residual && residual == null) {
            throw new IllegalArgumentException("blocked convolution: the post-ops add a residual, none given");
        }
        int group = item % groups;
        int wOff = group * groupFloats;
        int outBase = outOff + group * ocb * g.outH() * g.outW() * BLOCK;
        BlockedConvKernel[] ks = callKernel[item];
        int[] from = callFrom[item];
        int[] rows = callRows[item];
        for (int i = 0; i < ks.length; i++) {
            call(ks[i], in, inOff, out, outBase, residual, wOff, from[i], rows[i]);
        }
    }

    /** Output rows [from, from + rows) of one group through {@code k}. */
    private void call(BlockedConvKernel k, float[] in, int inOff, float[] out, int outBase, float[] residual,
                      int wOff, int from, int rows) {
        BlockedConvKernel.Key key = k.key();
        int inRow = inOff;
        if (key.readsAny()) {
            long row = (long) g.strideH() * from - g.padTop() + key.firstRow();
            inRow = Math.toIntExact(inOff + row * rStride);
        }
        k.run(in, inRow, packed, wOff, out, outBase + from * g.outW() * BLOCK, residual, rows);
    }

    /** Multiply-adds × 2 of one image. */
    @Override
    public long flops() {
        return 2L * g.outChannels() * g.outH() * g.outW() * g.inChannels() * g.kernelH() * g.kernelW();
    }

    /** Bytes of one image's input and output activations (as stored) and of the packed weights. */
    @Override
    public long bytes() {
        long in = inputBlocked ? (long) (g.inChannels() + BLOCK - 1) / BLOCK * BLOCK * g.inH() * g.inW()
                : (long) g.inChannels() * g.inH() * g.inW();
        long out = (long) outBlocks * BLOCK * g.outH() * g.outW();
        return 4L * (in + out) + packed.byteSize();
    }

    /** {@code jit_avx512} or {@code jit_avx2}. */
    public String implementation() {
        return "jit_" + isa.label();
    }

    @Override
    public String execName() {
        return "blocked_conv_" + implementation();
    }

    @Override
    public String toString() {
        return "BlockedConv[" + implementation() +  " tile " + tileName + " items "
                + items() + " " + g + "]";
    }
}
