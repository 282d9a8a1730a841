package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * INT8 convolution: activation codes (|a| ≤ 255, see {@link ActivationQuantizer}) times per-output-channel weight
 * codes (|w| ≤ 128), accumulated exactly, then dequantized, biased and activated by the post-ops (whose per-channel
 * scale is {@code step_in · scale_w[c]}, times a folded BatchNorm's).
 * <p>
 * The Vector API has no int8 dot product and its int32 multiply runs at half the FMA rate, so the products are taken
 * with the f32 micro-kernel {@link PackedGemm#kernel} on integer-valued floats: every product is at most 32,640 and
 * every partial sum an integer, exact while below 2^24. When no output row can reach 2^24 (the sum over K of
 * |w|·max|a|, from the actual weights) the float sum is the integer sum in any order: the input is quantized once per
 * run, vectorized, into a per-request buffer of codes, and the f32 {@link ConvKernel} multiplies those by the weight
 * codes with whichever strategy suits the layer's shape. Otherwise K is cut into blocks of {@link #KC}
 * (256·255·128 &lt; 2^24), each block is summed exactly in float and added into int32 accumulators: 1×1 stride-1
 * kernels quantize each K-block × NR-column panel of the input just before the micro-kernel reads it, others unfold
 * the codes chunk by chunk as in {@link ConvKernel}. Padding is code 0, the value 0. When the layer before writes the
 * codes itself ({@link #readingCodes}), none of this quantizing happens.
 */
public final class QuantizedConvKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Depth of one exact block: 256·255·128 = 8,355,840 &lt; 2^24. */
    static final int KC = 256;
    static final double EXACT = 1 << 24;
    private static final int CHUNK_FLOATS = 32 * 1024;

    private final ConvGeometry g;
    private final ActivationQuantizer quantizer;
    /** Per group: the weight codes, packed, for sums carried in int32; empty when they are exact in float. */
    private final PackedGemm[] packed;
    /** The f32 convolution of the weight codes, which computes the exact sums when they stay below 2^24. */
    private final ConvKernel onCodes;
    /** Otherwise, for one image and group: f32 convolutions of input-channel blocks, added in int32. */
    private final ChannelBlockedConv blocked;
    private final PostOps post;
    /** Whether a row's sum could reach 2^24, so blocks are added into int32 accumulators. */
    private final boolean spills;
    /**
     * Whether a 1×1 stride-1 kernel reading values quantizes each K-block × NR-column panel of its input as the product
     * reads it (in L1) rather than the whole input first: on wide outputs the extra pass over memory cost more than
     * the f32 kernels' strategies gain; with int32 sums it is the only way.
     */
    private final boolean quantizesPanels;
    private final int maxChunk;
    /** Whether the input already holds the codes (written by the layer before), so nothing is quantized here. */
    private final boolean codesIn;

    /**
     * @param weightCodes [Cout, Cin/groups, KH, KW] integer codes, |code| ≤ 128
     * @param post        dequantization scale per output channel, bias, residual, activation
     */
    public QuantizedConvKernel(ConvGeometry geometry, float[] weightCodes, ActivationQuantizer quantizer,
                               PostOps post) {
        this.g = geometry;
        this.quantizer = quantizer;
        this.post = post;
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        double worst = 0;
        for (int grp = 0; grp < g.groups(); grp++) {
            worst = Math.max(worst, maxRowSum(weightCodes, grp * cout * k, cout, k));
        }
        this.spills = worst * quantizer.maxAbsCode() >= EXACT;
        this.onCodes = spills ? null : new ConvKernel(g, weightCodes, post);
        this.blocked = spills && ChannelBlockedConv.suits(g)
                ? new ChannelBlockedConv(g, weightCodes, quantizer.maxAbsCode(), post) : null;
        this.quantizesPanels = g.isPointwise()
                && (spills ? blocked == null : !onCodes.channelLanes());
        this.packed = new PackedGemm[quantizesPanels || spills && blocked == null ? g.groups() : 0];
        for (int grp = 0; grp < packed.length; grp++) {
            packed[grp] = new PackedGemm(cout, k, weightCodes, grp * cout * k, k);
        }
        int nr = PackedGemm.NR;
        int byCache = Math.max(nr, CHUNK_FLOATS / Math.max(1, k) / nr * nr);
        int spatial = roundUp(g.outH() * g.outW(), nr);
        // Small outputs (7×7) are one chunk: each chunk streams all the weights (see PackedGemm.multiplyRows).
        this.maxChunk = PackedGemm.fewColumns(spatial) ? spatial : Math.min(spatial, byCache);
        this.codesIn = false;
    }

    private QuantizedConvKernel(QuantizedConvKernel k) {
        this.g = k.g;
        this.quantizer = k.quantizer;
        this.packed = k.packed;
        this.onCodes = k.onCodes;
        this.blocked = k.blocked;
        this.post = k.post;
        this.spills = k.spills;
        this.quantizesPanels = k.quantizesPanels;
        this.maxChunk = k.maxChunk;
        this.codesIn = true;
    }

    /**
     * Whether {@link #readingCodes} works: a 1×1 kernel whose sums spill into int32 needs its K-block panels copied
     * anyway, so only the others read codes in place.
     */
    public boolean canReadCodes() {
        return !(quantizesPanels && spills);
    }

    /**
     * This kernel reading its input as the quantizer's codes, already computed: the layer before wrote them instead
     * of its float output.
     */
    public QuantizedConvKernel readingCodes() {
        if (!canReadCodes()) {
            throw new IllegalStateException("a 1×1 kernel with int32 sums quantizes its own panels");
        }
        return new QuantizedConvKernel(this);
    }

    /** How it is computed, for per-layer counters: the f32 kernel's strategy on codes, or int32 sums per K block. */
    public String strategy() {
        return onCodes != null ? onCodes.strategy() : blocked != null ? blocked.strategy()
                : g.isPointwise() ? "gemm_1x1_int32" : "im2col_gemm_int32";
    }

    /** Whether sums are carried in int32 between K blocks (for tests and counters). */
    public boolean spills() {
        return spills;
    }

    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per-request buffers: the input's codes, and per thread an unfolded panel and its product. */
    public final class Scratch {
        private final float[] codes;
        private final ConvKernel.Scratch onCodesScratch;
        private final ChannelBlockedConv.Scratch blockedScratch;
        private final float[][] cols;
        private final float[][] acc;
        private final int[][] sums;
        private final IntConsumer quantizeTask;
        private final IntConsumer gemmTask;
        private float[] in;
        private float[] out;
        private float[] residual;
        private int threads;
        private int chunk;

        Scratch(int threads) {
            int inSize = g.batch() * g.inChannels() * g.inH() * g.inW();
            boolean whole = onCodes != null ? !quantizesPanels : blocked == null && !g.isPointwise();
            codes = new float[whole && !codesIn ? inSize : 0];
            onCodesScratch = onCodes == null ? null : onCodes.newScratch(threads);
            blockedScratch = blocked == null ? null : blocked.newScratch(threads);
            int perThread = packed.length > 0 ? 1 : 0;
            cols = new float[threads][perThread * (g.isPointwise() ? Math.min(KC, g.patchSize()) * maxChunk
                    : g.patchSize() * maxChunk)];
            acc = new float[threads][perThread * g.outChannelsPerGroup() * maxChunk];
            sums = new int[threads][spills ? perThread * g.outChannelsPerGroup() * maxChunk : 0];
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
        int threads = Math.min(pool.threads(), s.cols.length);
        if (onCodes != null && (codesIn || !quantizesPanels)) {
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
        if (blocked != null) {
            blocked.run(in, codesIn ? null : quantizer, out, residual, s.blockedScratch, pool);
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
        if (!g.isPointwise() && !codesIn) {
            pool.parallelFor(threads, s.quantizeTask);
        }
        int chunks = (spatial + s.chunk - 1) / s.chunk;
        pool.parallelFor(Math.min(threads, images * chunks), s.gemmTask);
        s.in = null;
        s.out = null;
        s.residual = null;
    }

    /** Output columns [j0, j0 + width) of one image and group, on thread {@code t}'s buffers. */
    private void chunk(Scratch s, int n, int grp, int j0, int width, int t) {
        int cin = g.inChannelsPerGroup();
        int cout = g.outChannelsPerGroup();
        int k = g.patchSize();
        int ld = roundUp(width, PackedGemm.NR);
        int inOff = (n * g.inChannels() + grp * cin) * g.inH() * g.inW();
        float[] cols = s.cols[t];
        float[] acc = s.acc[t];
        // 1×1: the input is quantized into K-block × NR-column panels as the product needs them (read once, as the
        // f32 kernel reads it in place). Otherwise: the whole chunk unfolded from codes.
        boolean panels = g.isPointwise();
        PackedGemm a = packed[grp];
        int spatialOut = g.outH() * g.outW();
        int outOff = (n * g.outChannels() + grp * cout) * spatialOut + j0;
        if (!panels) {
            Im2col.unfold(g, codesIn ? s.in : s.codes, inOff, j0, width, ld, cols);
        }
        int nr = PackedGemm.NR;
        int mr = PackedGemm.MR;
        // Sums exact in float accumulate over K straight in the output (whole panels) or in acc (the narrow last
        // one); int32 sums take each K block's exact float sums from acc.
        int full = spills ? 0 : width / nr * nr;
        for (int p = 0; p < k; p += KC) {
            int kc = Math.min(KC, k - p);
            boolean first = spills || p == 0;
            // As in PackedGemm.multiplyRows: few column panels, rows outside (the weights stream once) with the whole
            // K block quantized first; else columns outside, each 1×1 panel quantized just before use (L1).
            if (PackedGemm.fewColumns(ld)) {
                for (int j = 0; j < ld && panels; j += nr) {
                    quantizePanel(s, cols, inOff + j0, p, kc, j, width);
                }
                for (int i = 0; i < cout; i += mr) {
                    for (int j = 0; j < ld; j += nr) {
                        tile(s, a, i, j, p, kc, first, full, panels, ld, cols, acc, outOff, spatialOut);
                    }
                }
            } else {
                for (int j = 0; j < ld; j += nr) {
                    if (panels) {
                        quantizePanel(s, cols, inOff + j0, p, kc, j, width);
                    }
                    for (int i = 0; i < cout; i += mr) {
                        tile(s, a, i, j, p, kc, first, full, panels, ld, cols, acc, outOff, spatialOut);
                    }
                }
            }
            if (spills) {
                addExact(acc, s.sums[t], cout * ld, p == 0);
            }
        }
        for (int r = 0; r < cout; r++) {
            int dst = outOff + r * spatialOut;
            if (spills) {
                toFloat(s.sums[t], r * ld, s.out, dst, width);
            } else {
                System.arraycopy(acc, r * ld + full, s.out, dst + full, width - full);
            }
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
     * One MR×NR tile over the K block at {@code p}: B from the quantized panel ({@code panels}, 1×1) or the unfolded
     * rows; whole panels before {@code full} go straight to the output, int32 sums and a narrow last panel through
     * {@code acc}.
     */
    private void tile(Scratch s, PackedGemm a, int i, int j, int p, int kc, boolean first, int full, boolean panels,
                      int ld, float[] cols, float[] acc, int outOff, int spatialOut) {
        boolean direct = j < full;
        float[] c = direct ? s.out : acc;
        int ldc = direct ? spatialOut : ld;
        int cOff = (direct ? outOff + j : j) + i * ldc;
        int cout = g.outChannelsPerGroup();
        PackedGemm.kernel(kc, a.packed(), a.blockOffset(i / PackedGemm.MR, p), cols, panels ? j * kc : p * ld + j,
                panels ? PackedGemm.NR : ld, c, cOff, ldc, Math.min(PackedGemm.MR, cout - i), first);
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

    private static void addExact(float[] block, int[] sums, int n, boolean first) {
        addExact(block, sums, 0, n, first);
    }

    /**
     * Adds the exact integer-valued block sums {@code block[from..from + n)} into (or, for the first block, sets) the
     * int32 accumulators at the same positions.
     */
    static void addExact(float[] block, int[] sums, int from, int n, boolean first) {
        int i = from;
        int end = from + n;
        for (int bound = from + S.loopBound(n); i < bound; i += S.length()) {
            IntVector v = (IntVector) FloatVector.fromArray(S, block, i).convert(VectorOperators.F2I, 0);
            if (first) {
                v.intoArray(sums, i);
            } else {
                v.add(IntVector.fromArray(I, sums, i)).intoArray(sums, i);
            }
        }
        for (; i < end; i++) {
            sums[i] = (first ? 0 : sums[i]) + (int) block[i];
        }
    }

    static void toFloat(int[] sums, int from, float[] out, int to, int n) {
        for (int i = 0; i < n; i++) {
            out[to + i] = sums[from + i];
        }
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
