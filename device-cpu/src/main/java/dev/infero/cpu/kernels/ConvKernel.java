package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * Convolution as matrix products: for each image and group, {@code out[Cout × OH·OW] = W[Cout × Cin·KH·KW] ·
 * cols[Cin·KH·KW × OH·OW]}, where {@code cols} is the im2col unfolding of the input (skipped for 1×1 stride-1
 * convolutions, whose input already is that matrix). The weights are packed once, here; the output columns are cut
 * into chunks small enough that a chunk's unfolded input stays in cache, and the chunks of all images and groups are
 * shared out to the threads. Bias, residual add and activation are applied to each output tile as it is finished.
 * Layers with few output pixels and many channels run transposed instead, output channels in the vector lanes
 * ({@link ChannelLaneConv}, chosen here by {@link ChannelLaneConv#suits}); other stride-1 convolutions with a kernel
 * window and enough channels skip im2col ({@link ShiftedConv}). With the JIT on, layers with few input channels
 * (stems) run as a generated direct convolution instead ({@link DirectConv}); after that, 3×3 stride-1 layers where
 * its cost rule says the transforms pay run as Winograd F(2×2, 3×3) ({@link WinogradConv#suits}).
 */
public final class ConvKernel {
    /** Unfolded input per chunk, in floats: a chunk's columns fit L2 next to the packed weights. */
    private static final int CHUNK_FLOATS = 32 * 1024;

    private final ConvGeometry g;
    private final PackedGemm[] weights;
    private final PostOps post;
    private final int maxChunk;
    /** The transposed product for few output pixels, when it is the faster strategy; else {@code null}. */
    private final ChannelLaneConv lanes;
    /** The im2col-free strategy, for the other geometries where it is faster ({@code null} elsewhere). */
    private final ShiftedConv shifted;
    /** Generated direct convolution for few input channels (stems), or {@code null} (see {@link DirectConv#suits}). */
    private final DirectConv direct;
    /** Winograd F(2×2, 3×3) for the 3×3 stride-1 layers where it pays, or {@code null} (see {@link #winograd}). */
    private final WinogradConv winograd;
    /** The GEMM micro-kernel: generated code when the JIT is on, else the Vector API one. */
    private final MicroKernel micro;
    /** The post-ops in the generated kernel's registers, or {@code null} (see {@link MicroKernel#fuse}). */
    private final MicroKernel.Fused fused;
    /** {@link #lanes} or {@link #shifted}, the strategy that drives its own tiles, or {@code null}. */
    private final TiledConv tiled;
    /** The post-ops in {@link #tiled}'s registers, or {@code null} (then in Java). */
    private final TiledConv.Epilogue epilogue;
    /** Where output element 0 is written in the output array (an in-place Concat input's block), else 0. */
    private final int outBase;

    /**
     * @param weights [Cout, Cin/groups, KH, KW] as in the op; the direct kernel for few input channels when the JIT
     *                is on ({@link Jit#isa(String)}, family {@code direct})
     */
    public ConvKernel(ConvGeometry geometry, float[] weights, PostOps post) {
        this(geometry, weights, post, MicroKernel.forCompilation(), Jit.isa("direct"));
    }

    /** @param weights [Cout, Cin/groups, KH, KW] as in the op; {@code micro} runs the GEMM tiles (no direct kernel) */
    public ConvKernel(ConvGeometry geometry, float[] weights, PostOps post, MicroKernel micro) {
        this(geometry, weights, post, micro, null);
    }

    /**
     * @param weights   [Cout, Cin/groups, KH, KW] as in the op; {@code micro} runs the GEMM tiles
     * @param directIsa the ISA of the generated direct convolution for layers it suits ({@link DirectConv#suits}),
     *                  or {@code null} for the GEMM strategies only
     */
    public ConvKernel(ConvGeometry geometry, float[] weights, PostOps post, MicroKernel micro, Jit.Isa directIsa) {
        this(geometry, weights, post, micro, directIsa, true);
    }

    /**
     * As above; {@code winogradAllowed} false keeps Winograd out whatever the cost rule says (INT8 layers multiply
     * integer codes whose sums must stay exact: {@link QuantizedConvKernel}).
     */
    ConvKernel(ConvGeometry geometry, float[] weights, PostOps post, MicroKernel micro, Jit.Isa directIsa,
               boolean winogradAllowed) {
        this.g = geometry;
        this.post = post;
        this.micro = micro;
        this.fused = micro.fuse(post);
        this.direct = DirectConv.suits(g, post, directIsa, micro.isJit()) ? new DirectConv(g, weights, post, directIsa) : null;
        // Where both fit (3×3 on 14×14 and 28×28 outputs), the transposed product measured faster than im2col; with
        // generated code, than the segmented shifted tiles only for deep patches (see ChannelLaneConv.suits).
        this.winograd = direct == null && winogradAllowed && WinogradConv.suits(g, post, micro)
                ? new WinogradConv(g, weights, micro) : null;
        boolean rest = direct == null && winograd == null;
        this.lanes = rest && ChannelLaneConv.suits(g, micro.isJit()) ? new ChannelLaneConv(g, weights, micro) : null;
        this.shifted = rest && lanes == null && ShiftedConv.suits(g, micro.isJit())
                ? new ShiftedConv(g, weights, micro) : null;
        this.tiled = winograd != null ? winograd : lanes != null ? lanes : shifted;
        this.epilogue = epilogue(tiled, post);
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        this.weights = new PackedGemm[direct == null && tiled == null ? g.groups() : 0];
        for (int grp = 0; grp < this.weights.length; grp++) {
            this.weights[grp] = new PackedGemm(cout, k, weights, grp * cout * k, k, micro);
        }
        int spatial = g.outH() * g.outW();
        int byCache = Math.max(PackedGemm.NR, CHUNK_FLOATS / Math.max(1, k) / PackedGemm.NR * PackedGemm.NR);
        // A small output (7×7, 14×14) is one chunk whatever its depth: every chunk streams all the weights, which
        // are megabytes in such layers, and threads share out the output channels instead.
        // With generated code a 1×1 layer is one chunk per thread: the product blocks and packs its input itself.
        this.maxChunk = PackedGemm.fewColumns(spatial) || g.isPointwise() && micro.isJit() ? spatial
                : Math.min(spatial, byCache);
        this.outBase = 0;
    }

    private ConvKernel(ConvKernel o, PostOps post) {
        this(o, post, o.outBase);
    }

    private ConvKernel(ConvKernel o, PostOps post, int outBase) {
        this.g = o.g;
        this.post = post;
        this.micro = o.micro;
        this.fused = o.micro.fuse(post);
        this.lanes = o.lanes;
        this.shifted = o.shifted;
        this.direct = o.direct == null ? null : o.direct.withPost(post);
        this.winograd = o.winograd;
        this.tiled = o.tiled;
        this.epilogue = epilogue(tiled, post);
        this.weights = o.weights;
        this.maxChunk = o.maxChunk;
        this.outBase = outBase;
    }

    /**
     * This convolution writing its output from element {@code offset} of the output array on (an in-place Concat
     * input), or {@code null}: a residual is read at the output's own indexes, so not with one.
     */
    public ConvKernel writingAt(int offset) {
        return post.hasResidual() ? null : new ConvKernel(this, post, offset);
    }

    /**
     * {@code tiled}'s post-ops in registers, or {@code null}: none, or {@code -Dinfero.jit.convpost=off} (read when
     * the layer is compiled; the shifted and channel-lane layers then apply them in Java after their tiles, as
     * before they ran in registers: for A/B measurements).
     */
    private static TiledConv.Epilogue epilogue(TiledConv tiled, PostOps post) {
        return tiled == null || Jit.switchedOff("convpost") ? null : tiled.epilogue(post);
    }

    /**
     * This convolution, sharing its packed weights, writing each output channel's codes of {@code codes} instead of
     * its values (see {@link PostOps#writingCodes}).
     */
    public ConvKernel writingCodes(ActivationQuantizer[] codes) {
        return new ConvKernel(this, post.writingCodes(codes));
    }

    ConvKernel withPost(PostOps other) {
        return new ConvKernel(this, other);
    }

    public ConvGeometry geometry() {
        return g;
    }

    /**
     * The strategy chosen for the layer, for per-layer counters: {@code direct} (see {@link DirectConv}),
     * {@code winograd_f23} (see {@link WinogradConv}), {@code gemm_1x1}, {@code im2col_gemm},
     * {@code channel_lanes_gemm} (see {@link ChannelLaneConv}) or {@code shifted_gemm} (see {@link ShiftedConv}).
     */
    public String strategy() {
        return direct != null ? "direct" : winograd != null ? "winograd_f23" : lanes != null ? "channel_lanes_gemm"
                : shifted != null ? "shifted_gemm" : g.isPointwise() ? "gemm_1x1" : "im2col_gemm";
    }

    /** The micro-kernel's implementation for exec types: {@code jit_avx512}, {@code jit_avx2}, {@code vector512}. */
    public String implementation() {
        return direct != null ? direct.implementation() : micro.implementation();
    }

    /** Group {@code grp}'s packed weights, for the im2col and 1×1 strategies (the others pack their own). */
    PackedGemm packedWeights(int grp) {
        return weights[grp];
    }

    /** Whether output channels run in the vector lanes ({@link ChannelLaneConv}): the layer has few output pixels. */
    boolean channelLanes() {
        return lanes != null;
    }

    /** Whether the post-ops run in the generated tiles' registers (else in Java after the tiles, or none). */
    boolean postOpsInRegisters() {
        return tiled != null ? epilogue != null : fused != null;
    }

    /** Items per thread of a split layer (see run). */
    private static final int ITEMS_PER_THREAD = 2;
    /**
     * Fewest column panels per item for {@link #ITEMS_PER_THREAD} items per thread: with fewer, each thread gets one
     * item. A generated tile sweeps up to a block of an item's panels ({@link PackedGemm#BLOCK_PANELS}) in one call,
     * with its slice of the weights loaded once per call, and every item streams all the weights: cut in four,
     * 128×28×28→512 1×1 (24.5 panels) took 7 % more CPU time on 2 threads than whole, in two 0–2 % (ConvScaling).
     */
    private static final int MIN_ITEM_PANELS = PackedGemm.BLOCK_PANELS;

    /** Per-request scratch: one im2col chunk per thread, and the current call's arguments. */
    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    public final class Scratch {
        private final float[][] cols;
        private final float[][] gemm;
        private final TiledConv.Scratch tiledScratch;
        private final WorkerPool.ItemTask task;
        private final DirectConv.Scratch directScratch;
        private float[] in;
        private float[] out;
        private float[] residual;
        /** How many column chunks each image and group is cut into ({@link PackedGemm#panelCut}). */
        private int chunks;
        /** How many row ranges (output channel ranges) each chunk is cut into. */
        private int rowParts;

        Scratch(int threads) {
            boolean own = tiled == null && direct == null;
            cols = new float[threads][g.isPointwise() || !own ? 0 : g.patchSize() * maxChunk];
            gemm = new float[threads][own ? weights[0].workspaceSize(maxChunk) : 0];
            tiledScratch = tiled == null ? null : tiled.newScratch(threads);
            task = this::runTask;
            directScratch = direct == null ? null : direct.newScratch();
        }

        /** Item {@code item} (a chunk of columns and a range of rows of one image and group) on slot {@code t}. */
        private void runTask(int item, int t) {
            int spatial = g.outH() * g.outW();
            int cout = g.outChannelsPerGroup();
            // Row ranges of whole register tiles, dealt out as evenly as they go (a range of 3 panels on a
            // 2-panel tile would run a full tile and a half one, and the last range was the short one).
            int tileRows = micro.tilePanels() * PackedGemm.MR;
            int tiles = (cout + tileRows - 1) / tileRows;
            int part = item % rowParts;
            int rest = item / rowParts;
            int j0 = PackedGemm.panelCut(spatial, chunks, rest % chunks);
            int j1 = PackedGemm.panelCut(spatial, chunks, rest % chunks + 1);
            int grp = rest / chunks % g.groups();
            int n = rest / chunks / g.groups();
            int row0 = (int) ((long) tiles * part / rowParts) * tileRows;
            int row1 = Math.min(cout, (int) ((long) tiles * (part + 1) / rowParts) * tileRows);
            if (row0 < row1 && j0 < j1) {
                chunk(in, out, residual, n, grp, j0, j1 - j0, row0, row1, cols[t], gemm[t]);
            }
        }
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    public void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        if (direct != null) {
            direct.run(in, out, outBase, residual, s.directScratch, pool);
            return;
        }
        if (tiled != null) {
            tiled.run(in, out, outBase, residual, post, epilogue, s.tiledScratch, pool);
            return;
        }
        int threads = Math.min(pool.threadsFor(g.flops(), g.activationBytes()), s.cols.length);
        int spatial = g.outH() * g.outW();
        int images = g.batch() * g.groups();
        // Split, a few items per thread, claimed as threads come free: a late worker takes fewer.
        int parts = threads > 1 ? threads * ITEMS_PER_THREAD : 1;
        int perImage = (parts + images - 1) / images;
        if (PackedGemm.fewColumns(spatial)) {
            int tileRows = micro.tilePanels() * PackedGemm.MR;
            s.chunks = 1;
            s.rowParts = Math.clamp(perImage, 1, (g.outChannelsPerGroup() + tileRows - 1) / tileRows);
        } else {
            // Enough chunks that every thread has work and as many chunks as the others, none wider than the cache
            // budget, cut at whole panels as evenly as they go.
            int columnPanels = (spatial + PackedGemm.NR - 1) / PackedGemm.NR;
            int wanted = columnPanels >= MIN_ITEM_PANELS * perImage ? perImage : (threads + images - 1) / images;
            int chunks = Math.max((spatial + maxChunk - 1) / maxChunk, wanted);
            while (images * chunks % threads != 0 && chunks < columnPanels) {
                chunks++;
            }
            s.chunks = Math.min(chunks, columnPanels);
            s.rowParts = 1;
        }
        s.in = in;
        s.out = out;
        s.residual = residual;
        pool.parallelItems(threads, images * s.chunks * s.rowParts, s.task);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** Output columns [j0, j0 + width) and channels [row0, row1) of one image and group. */
    private void chunk(float[] in, float[] out, float[] residual, int n, int grp, int j0, int width, int row0,
                       int row1, float[] cols, float[] ws) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int spatialIn = g.inH() * g.inW();
        int spatialOut = g.outH() * g.outW();
        int inOff = (n * g.inChannels() + grp * cin) * spatialIn;
        int outOff = outBase + (n * g.outChannels() + grp * cout) * spatialOut + j0;
        if (g.isPointwise()) {
            weights[grp].multiplyRows(row0, row1, width, in, inOff + j0, spatialIn, out, outOff, spatialOut, post,
                    fused, grp * cout, residual, ws);
        } else {
            Im2col.unfold(g, in, inOff, j0, width, width, cols);
            weights[grp].multiplyRows(row0, row1, width, cols, 0, width, out, outOff, spatialOut, post, fused,
                    grp * cout, residual, ws);
        }
    }
}
