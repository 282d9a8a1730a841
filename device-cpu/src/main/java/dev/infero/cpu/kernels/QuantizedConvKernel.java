package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;

/**
 * INT8 convolution: activation codes (|a| ≤ 255, see {@link ActivationQuantizer}) times per-output-channel weight
 * codes (|w| ≤ 128), accumulated exactly, then dequantized, biased and activated by the post-ops (whose per-channel
 * scale is {@code step_in · scale_w[c]}, times a folded BatchNorm's).
 * <p>
 * The Vector API has no int8 dot product and its int32 multiply runs at half the FMA rate, so the products are taken
 * with the f32 micro-kernel {@link PackedGemm#kernel} on integer-valued floats: every product is at most 32,640 and
 * every partial sum an integer, exact while below 2^24. The input is quantized once per run, vectorized, into a
 * per-request buffer of codes, and the f32 {@link ConvKernel} multiplies those by the weight codes with whichever
 * strategy suits the layer's shape. When no output row can reach 2^24 (the sum over K of |w|·max|a|, from the actual
 * weights) the float sums are the integer sums in any order; otherwise the micro-kernel adds each call's exact float
 * sum (at most {@link PackedGemm#KC} products) into int32 sums ({@link PostOps#withIntegerSums}). 1×1 stride-1 layers
 * that read float values on wide outputs quantize each K-block × NR-column panel of their input just before the
 * micro-kernel reads it, in L1, rather than the whole input first. Padding is code 0, the value 0. When the layer
 * before writes the codes itself ({@link #readingCodes}), none of this quantizing happens.
 */
public final class QuantizedConvKernel {
    static final double EXACT = 1 << 24;
    private static final int CHUNK_FLOATS = 32 * 1024;

    private final ConvGeometry g;
    private final ActivationQuantizer quantizer;
    /** Per group: the weight codes as {@link #onCodes} packed them, for the panel-quantizing 1×1 path; else empty. */
    private final PackedGemm[] packed;
    /** The f32 convolution of the weight codes. */
    private final ConvKernel onCodes;
    /** The post-ops, reading int32 sums when they could pass 2^24. */
    private final PostOps post;
    /** The post-ops reading int32 sums, for the u8×s8 path. */
    private final PostOps integerPost;
    /** Whether a row's sum could reach 2^24, so sums are carried in int32. */
    private final boolean spills;
    /**
     * Whether a 1×1 stride-1 kernel reading values quantizes each K-block × NR-column panel of its input as the product
     * reads it (in L1) rather than the whole input first: on wide outputs the extra pass over memory cost more than
     * the f32 kernels' strategies gain.
     */
    private final boolean quantizesPanels;
    private final int maxChunk;
    /** Whether the input already holds the codes (written by the layer before), so nothing is quantized here. */
    private final boolean codesIn;
    /** The u8×s8 layout and tiles (generated code) when the dot-product path runs this layer, else {@code null}. */
    private final U8S8Conv u8s8;
    private final U8S8Conv.Tiles tiles;
    /** Whether the input holds u8 quads written by the layer before ({@link #readingQuads}). */
    private final boolean quadsIn;
    /** Where output element 0 is written in the output array (an in-place Concat input's block), else 0. */
    private final int outBase;

    /**
     * @param weightCodes [Cout, Cin/groups, KH, KW] integer codes, |code| ≤ 128
     * @param post        dequantization scale per output channel, bias, residual, activation
     */
    public QuantizedConvKernel(ConvGeometry geometry, float[] weightCodes, ActivationQuantizer quantizer,
                               PostOps post) {
        this.g = geometry;
        this.quantizer = quantizer;
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        double worst = 0;
        for (int grp = 0; grp < g.groups(); grp++) {
            worst = Math.max(worst, maxRowSum(weightCodes, grp * cout * k, cout, k));
        }
        this.spills = worst * quantizer.maxAbsCode() >= EXACT;
        this.post = spills ? post.withIntegerSums() : post;
        this.integerPost = post.withIntegerSums();
        this.onCodes = new ConvKernel(g, weightCodes, this.post, MicroKernel.forCompilation(), Jit.isa("direct"),
                false);
        this.quantizesPanels = g.isPointwise() && !onCodes.channelLanes();
        this.packed = new PackedGemm[quantizesPanels ? g.groups() : 0];
        for (int grp = 0; grp < packed.length; grp++) {
            packed[grp] = onCodes.packedWeights(grp);
        }
        int nr = PackedGemm.NR;
        int byCache = Math.max(nr, CHUNK_FLOATS / Math.max(1, k) / nr * nr);
        int spatial = roundUp(g.outH() * g.outW(), nr);
        // Small outputs (7×7) are one chunk: each chunk streams all the weights (see PackedGemm.multiplyRows).
        this.maxChunk = PackedGemm.fewColumns(spatial) ? spatial : Math.min(spatial, byCache);
        this.codesIn = false;
        this.u8s8 = null;
        this.tiles = null;
        this.quadsIn = false;
        this.outBase = 0;
    }

    private QuantizedConvKernel(QuantizedConvKernel k, PostOps post, boolean codesIn) {
        this(k, post, codesIn, k.u8s8, k.tiles, k.quadsIn);
    }

    private QuantizedConvKernel(QuantizedConvKernel k, PostOps post, boolean codesIn, U8S8Conv u8s8,
                                U8S8Conv.Tiles tiles, boolean quadsIn) {
        this(k, post, codesIn, u8s8, tiles, quadsIn, k.outBase,
                post == k.post ? k.onCodes : k.onCodes.withPost(post));
    }

    private QuantizedConvKernel(QuantizedConvKernel k, PostOps post, boolean codesIn, U8S8Conv u8s8,
                                U8S8Conv.Tiles tiles, boolean quadsIn, int outBase, ConvKernel onCodes) {
        this.g = k.g;
        this.quantizer = k.quantizer;
        this.packed = k.packed;
        this.onCodes = onCodes;
        this.post = post;
        this.integerPost = post.withIntegerSums();
        this.spills = k.spills;
        this.quantizesPanels = k.quantizesPanels;
        this.maxChunk = k.maxChunk;
        this.codesIn = codesIn;
        this.u8s8 = u8s8;
        this.tiles = tiles;
        this.quadsIn = quadsIn;
        this.outBase = outBase;
    }

    /**
     * This kernel writing its output from element {@code offset} of the output array on (an in-place Concat input's
     * block), with every strategy: the u8×s8 tiles, the f32 kernel on codes ({@link ConvKernel#writingAt}) and the
     * panel-quantizing 1×1 path; {@code null} with a residual (read at the output's own indexes). Codes written for
     * the layers after ({@link #writingCodes}) are written there too.
     */
    public QuantizedConvKernel writingAt(int offset) {
        if (post.hasResidual() || offset < 0) {
            return null;
        }
        ConvKernel shifted = onCodes.writingAt(offset);
        return shifted == null ? null
                : new QuantizedConvKernel(this, post, codesIn, u8s8, tiles, quadsIn, offset, shifted);
    }

    /**
     * This kernel computing on u8 activations and s8 weights with {@code tiles} (generated dot-product code, see
     * {@link U8S8Conv}), same results; {@code null} when the layer does not fit that layout (sums that could
     * overflow int32).
     */
    public QuantizedConvKernel onTiles(U8S8Conv layout, U8S8Conv.Tiles tiles) {
        return new QuantizedConvKernel(this, post, codesIn, layout, tiles, false);
    }

    /** Whether the u8×s8 dot-product path ({@link #onTiles}) runs this layer. */
    public boolean onTiles() {
        return u8s8 != null;
    }

    /**
     * This kernel reading its input as the quantizer's codes, already computed: the layer before wrote them instead
     * of its float output.
     */
    public QuantizedConvKernel readingCodes() {
        return new QuantizedConvKernel(this, post, true);
    }

    /** Whether {@link #readingQuads} works: on u8 quad tiles, a 1×1 stride-1 layer of one group. */
    public boolean canReadQuads() {
        return u8s8 != null && u8s8.readsQuads();
    }

    /**
     * This kernel reading its input as the u8 quads the layer before wrote in place of its output (see
     * {@link U8S8Conv#readsQuads}): the tiles read them where they are, without a packing pass.
     */
    public QuantizedConvKernel readingQuads() {
        if (!canReadQuads()) {
            throw new IllegalStateException("this INT8 layer cannot read u8 quads");
        }
        return new QuantizedConvKernel(this, post, true, u8s8, tiles, true);
    }

    /**
     * This kernel writing each output channel's codes of {@code codes} instead of its values, for INT8 layers after
     * it (see {@link PostOps#writingCodes}).
     */
    public QuantizedConvKernel writingCodes(ActivationQuantizer[] codes) {
        return new QuantizedConvKernel(this, post.writingCodes(codes), codesIn);
    }

    /** How it is computed, for per-layer counters: the f32 kernel's strategy on codes, {@code _int32} sums. */
    public String strategy() {
        if (u8s8 != null) {
            return tiles.name();
        }
        return onCodes.strategy() + (spills ? "_int32" : "");
    }

    /** Whether sums are carried in int32 (for tests and counters). */
    public boolean spills() {
        return spills;
    }

    public Scratch newScratch(int threads) {
        return new Scratch(threads, new float[codesFloats()]);
    }

    /** Per-request buffers, the input's codes in {@code codes}: at least {@link #codesFloats()}, used only in a run. */
    public Scratch newScratch(int threads, float[] codes) {
        return new Scratch(threads, codes);
    }

    /** Floats of the input's codes a run writes before the product reads them, or 0 when it reads codes or panels. */
    public int codesFloats() {
        return quantizesPanels || codesIn || u8s8 != null ? 0 : g.batch() * g.inChannels() * g.inH() * g.inW();
    }

    /** Per-request buffers: the input's codes, or per thread a quantized panel and a narrow last panel's product. */
    public final class Scratch {
        private final float[] codes;
        private final ConvKernel.Scratch onCodesScratch;
        private final float[][] cols;
        private final float[][] acc;
        private final IntConsumer quantizeTask;
        private final IntConsumer gemmTask;
        private final U8S8Conv.Scratch u8s8Scratch;
        private float[] in;
        private float[] out;
        private float[] residual;
        private int threads;
        private int chunk;

        Scratch(int threads, float[] codes) {
            int inSize = g.batch() * g.inChannels() * g.inH() * g.inW();
            if (codes.length < codesFloats()) {
                throw new IllegalArgumentException("codes buffer of " + codes.length + " floats, needs "
                        + codesFloats());
            }
            this.codes = codes;
            u8s8Scratch = u8s8 == null ? null : u8s8.newScratch(threads, tiles);
            onCodesScratch = u8s8 == null ? onCodes.newScratch(threads) : null;
            int perThread = quantizesPanels && !codesIn && u8s8 == null ? 1 : 0;
            cols = new float[threads][perThread * Math.min(PackedGemm.KC, g.patchSize()) * maxChunk];
            acc = new float[threads][perThread * g.outChannelsPerGroup() * maxChunk];
            quantizeTask = t -> {
                int per = (inSize + this.threads - 1) / this.threads;
                int from = Math.min(inSize, t * per);
                quantizer.quantize(in, from, codes, from, Math.min(inSize, from + per) - from);
            };
            gemmTask = this::runChunks;
        }

        private void runChunks(int t) {
            int spatial = g.outH() * g.outW();
            int chunks = (spatial + chunk - 1) / chunk;
            int items = g.batch() * g.groups() * chunks;
            for (int item = t; item < items; item += threads) {
                int j0 = item % chunks * chunk;
                int grp = item / chunks % g.groups();
                int n = item / chunks / g.groups();
                chunk(this, n, grp, j0, Math.min(chunk, spatial - j0), t);
            }
        }
    }

    /** {@code residual} may be {@code null} unless the post-ops add one. */
    public void run(float[] in, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        int threads = Math.min(pool.maxThreads(), s.cols.length);
        if (u8s8 != null) {
            u8s8.run(in, codesIn, quadsIn, out, outBase, residual, integerPost, s.u8s8Scratch, pool);
            return;
        }
        if (codesIn || !quantizesPanels) {
            float[] codes = in;
            if (!codesIn) {
                s.in = in;
                s.threads = threads;
                pool.parallelFor(threads, s.quantizeTask);
                s.in = null;
                codes = s.codes;
            }
            onCodes.run(codes, out, residual, s.onCodesScratch, pool);
            return;
        }
        int spatial = g.outH() * g.outW();
        int nr = PackedGemm.NR;
        int images = g.batch() * g.groups();
        int perImage = (threads + images - 1) / images;
        int wanted = (spatial + perImage - 1) / perImage;
        s.chunk = Math.min(maxChunk, Math.max(nr, roundUp(wanted, nr)));
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.threads = threads;
        int chunks = (spatial + s.chunk - 1) / s.chunk;
        pool.parallelFor(Math.min(threads, images * chunks), s.gemmTask);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** 1×1: output columns [j0, j0 + width) of one image and group, on thread {@code t}'s buffers. */
    private void chunk(Scratch s, int n, int grp, int j0, int width, int t) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        int ld = roundUp(width, PackedGemm.NR);
        int inOff = (n * g.inChannels() + grp * cin) * g.inH() * g.inW();
        float[] cols = s.cols[t];
        float[] acc = s.acc[t];
        PackedGemm a = packed[grp];
        int spatialOut = g.outH() * g.outW();
        int outOff = outBase + (n * g.outChannels() + grp * cout) * spatialOut + j0;
        int nr = PackedGemm.NR;
        int mr = PackedGemm.MR;
        // Whole panels accumulate straight in the output, the narrow last one in acc.
        int full = width / nr * nr;
        for (int p = 0; p < k; p += PackedGemm.KC) {
            int kc = Math.min(PackedGemm.KC, k - p);
            boolean first = p == 0;
            // As in PackedGemm.multiplyRows: few column panels, rows outside (the weights stream once) with the whole
            // K block quantized first; else columns outside, each panel quantized just before use (L1).
            if (PackedGemm.fewColumns(ld)) {
                for (int j = 0; j < ld; j += nr) {
                    quantizePanel(s, cols, inOff + j0, p, kc, j, width);
                }
                for (int i = 0; i < cout; i += mr) {
                    for (int j = 0; j < ld; j += nr) {
                        tile(s, a, i, j, p, kc, first, full, ld, cols, acc, outOff, spatialOut);
                    }
                }
            } else {
                for (int j = 0; j < ld; j += nr) {
                    quantizePanel(s, cols, inOff + j0, p, kc, j, width);
                    for (int i = 0; i < cout; i += mr) {
                        tile(s, a, i, j, p, kc, first, full, ld, cols, acc, outOff, spatialOut);
                    }
                }
            }
        }
        for (int r = 0; r < cout; r++) {
            int dst = outOff + r * spatialOut;
            System.arraycopy(acc, r * ld + full, s.out, dst + full, width - full);
            post.apply(s.out, dst, width, grp * cout + r, s.residual);
        }
    }

    /** The codes of a 1×1 layer's input rows [p, p + kc), columns [j, j + NR) from {@code inOff}, as panel j / NR. */
    private void quantizePanel(Scratch s, float[] cols, int inOff, int p, int kc, int j, int width) {
        int spatialIn = g.inH() * g.inW();
        quantizer.quantize(s.in, inOff + p * spatialIn + j, spatialIn, cols, j * kc, Math.min(PackedGemm.NR, width - j),
                kc, PackedGemm.NR);
    }

    /**
     * One MR×NR tile over the K block at {@code p}, B from the quantized panel; whole panels before {@code full} go
     * straight to the output, a narrow last panel through {@code acc}.
     */
    private void tile(Scratch s, PackedGemm a, int i, int j, int p, int kc, boolean first, int full, int ld,
                      float[] cols, float[] acc, int outOff, int spatialOut) {
        boolean direct = j < full;
        float[] c = direct ? s.out : acc;
        int ldc = direct ? spatialOut : ld;
        int cOff = (direct ? outOff + j : j) + i * ldc;
        int cout = g.outChannelsPerGroup();
        PackedGemm.kernel(kc, a.packed(), a.blockOffset(i / PackedGemm.MR, p), cols, j * kc, PackedGemm.NR, c, cOff,
                ldc, Math.min(PackedGemm.MR, cout - i), first, spills);
    }

    /** The largest sum of |code| over the {@code rows} rows of {@code k} codes at {@code codes[src..]}: what bounds
     * a row's exact float sums. */
    static double maxRowSum(float[] codes, int src, int rows, int k) {
        double worst = 0;
        for (int row = 0; row < rows; row++) {
            double sum = 0;
            for (int p = 0; p < k; p++) {
                sum += Math.abs(codes[src + row * k + p]);
            }
            worst = Math.max(worst, sum);
        }
        return worst;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
