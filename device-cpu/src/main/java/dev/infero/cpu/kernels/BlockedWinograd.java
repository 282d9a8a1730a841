package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.BlockedConvKernel;
import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.jit.PackedWeights;
import java.lang.foreign.MemorySegment;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3×3 stride-1 FP32 convolution on the channel-blocked layout (nChw16c, as {@link BlockedConv}) by Winograd's
 * minimal filtering F(4×4, 3×3): each 4×4 output tile is {@code Aᵀ [Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)] A} for the tile's
 * 6×6 input patch {@code d_c} of each input channel, so the 144 multiplies per tile and channel pair of the direct
 * convolution become 36 (4× fewer). Over all channels the 36 element-wise products are 36 matrix products
 * {@code M_ξ[tiles × Cout] = V_ξ[tiles × Cin] · U_ξ[Cin × Cout]}, one per position ξ of the 6×6 transformed tile;
 * each is a 1×1 convolution over a row of tiles in the blocked layout, so the products run on the generated
 * blocked kernel ({@link BlockedConvKernel}, its 1×1 register tiles), and the weights {@code U = G g Gᵀ} are
 * transformed and packed once, here, into aligned native memory ({@link PackedWeights}).
 *
 * <p>The transforms run on the Vector API with the 16 channels of a block in the lanes (one 64-byte vector with
 * AVX-512, two halves otherwise), so they need no shuffles. Points 0, ±1, ±2 (Lavin and Gray): the input transform
 * multiplies by 1, 2, 4 and 5, the output transform by 1, 2, 4 and 8, G by fractions computed in double; the
 * rounding error stays within a few units of 1e-6 relative to the output's magnitude ({@code BlockedWinogradTest}).
 *
 * <p>Work of one image is cut into {@link #items()} items, blocks of consecutive tiles (raster order over the
 * output; edge tiles cropped, padding read as zeros): an item transforms its input patches into V (all input
 * channels; kept in L2), then per group of output blocks runs the 36 products into M and transforms M into the
 * output rows with the post-ops (scale, bias, residual, ReLU, clamp and (P)ReLU slopes in the transform; sigmoid,
 * swish, ELU and hard swish in a pass over each row piece just written), so each item writes a disjoint part of the
 * output and items may run on any threads in any order, each with its own {@link Scratch}.
 */
public final class BlockedWinograd implements BlockedLayerWork {
    private static final int BLOCK = BlockedConvKernel.BLOCK;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float[] ZEROS = new float[BLOCK];
    /** Positions of a transformed 6×6 tile: one product per position. */
    static final int POSITIONS = 36;
    /** Side of an input patch and of an output tile. */
    private static final int PATCH = 6;
    private static final int TILE = 4;
    /** Floats of V one item may hold (512 KB: half the smallest L2 of a core it runs on, next to M and U's panel). */
    static final int V_FLOATS = 128 * 1024;
    /** Tiles per item below which items are not multiplied for threads (the products' tiles are 12–14 wide). */
    static final int MIN_BLOCK = 12;
    /** Most tiles per item. */
    static final int MAX_BLOCK = 56;

    private final ConvGeometry g;
    private final Jit.Isa isa;
    private final int inBlocks;
    private final int outBlocks;
    private final int tilesW;
    private final int tiles;
    /** Tiles per item (the last may hold fewer), and items per image. */
    private final int block;
    private final int items;
    /** Output blocks per product call, and groups of them. */
    private final int ocb;
    private final int groups;
    /** Floats between pixels rows of V / M (one per tile, 16 floats each), and between positions. */
    private final int ldV;
    private final int ldM;
    private final int vStride;
    private final int mStride;
    /** The transformed weights: per group, per position, {@link BlockedConvKernel#pack}'s 1×1 layout. */
    private final MemorySegment packed;
    private final int[] uOff;
    /** Product kernels: [group is the partial last one][item is the short last one]. */
    private final BlockedConvKernel[][] gemm = new BlockedConvKernel[2][2];
    /** Post-ops per output channel (padded to whole blocks): x · scale + bias, then residual, then activation. */
    private final float[] scale;
    private final float[] bias;
    private final float[] alpha;
    private final float lo;
    private final float hi;
    private final DepthwiseKernel.Activation activation;
    /**
     * Sigmoid, swish, ELU and hard swish: the activation alone ({@link PostOps#activationOnly}), applied by a pass
     * over each output row piece the transform has just written (in L1); else {@code null}.
     */
    private final PostOps after;
    /** The activation the output transform applies: 1 ReLU, 2 clamp, 3 (P)ReLU slopes, 0 none (or {@link #after}). */
    private final int transformActivation;
    private final boolean residual;

    /**
     * One thread's work arrays for {@link #runItem}: V and M in {@link #scratchFloats()} floats of an array at an
     * offset (a part of a request's transient buffer that all its steps share, see {@link #scratchIn}, or an array
     * of its own, {@link #newScratch}), and two small arrays of its own.
     */
    public static final class Scratch {
        private final float[] buffer;
        private final int vOff;
        private final int mOff;
        /** A zero-padded input patch (edge tiles), then a transform's intermediate 6×6 vectors. */
        private final float[] patch = new float[PATCH * PATCH * BLOCK];
        private final float[] mid = new float[PATCH * PATCH * BLOCK];

        private Scratch(float[] buffer, int vOff, int mOff) {
            this.buffer = buffer;
            this.vOff = vOff;
            this.mOff = mOff;
        }
    }

    /**
     * Whether the layer, read blocked, is one this strategy computes: 3×3, stride 1, no dilation, one group, float
     * sums and post-ops the generated kernels take (any activation; codes and int32 sums not).
     */
    public static boolean fits(ConvGeometry g, PostOps post) {
        return fits(g, post, true);
    }

    /** {@link #fits(ConvGeometry, PostOps)} for input blocked or not (NCHW stems: never). */
    static boolean fits(ConvGeometry g, PostOps post, boolean inputBlocked) {
        DepthwiseKernel.Activation a = post.depthwiseJitActivation();
        return inputBlocked && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.groups() == 1 && a != null
                && g.outH() >= 1 && g.outW() >= 1 && g.inH() >= 1 && g.inW() >= 1;
    }

    /**
     * Whether {@link BlockedConv}'s place goes to this strategy: it {@link #fits}, and {@code -Dinfero.cpu.winograd}
     * is unset ({@code auto}) or {@code on} and {@link #pays}, or {@code force} (wherever it fits, for measurements);
     * {@code off} never.
     */
    public static boolean suits(ConvGeometry g, PostOps post, boolean inputBlocked) {
        String mode = System.getProperty("infero.cpu.winograd", "auto");
        if (!mode.equals("off") && !mode.equals("on") && !mode.equals("force") && !mode.equals("auto")) {
            throw new IllegalArgumentException("-Dinfero.cpu.winograd=" + mode
                    + ": expected off, on, force or auto (the default)");
        }
        if (mode.equals("off") || !fits(g, post, inputBlocked)) {
            return false;
        }
        return mode.equals("force") || pays(g);
    }

    /**
     * The cost rule (docs/performance.md, "Winograd F(4×4, 3×3) on the blocked layout" and "Winograd products
     * through broadcast registers"). Alone, every layer of 16 or more channels and 10×10 or more outputs measured
     * faster than the direct kernel (BlockedConvCpuTime, 1.3–3.3×) except those whose U (36·Cin·Cout floats, 4× the
     * weights) is past the L3 of the machine (512×7×7). In whole models U also arrives cold, once per item. The rule
     * bounds the bytes of U streamed per multiply-add the direct convolution would do over the computed tiles,
     * {@code 4·36·Cin·Cout·items / (18·Cin·Cout·16·tiles)} = {@code items / (2·tiles)}, by
     * {@link #MAX_U_BYTES_PER_FLOP} (at least about 4.5 tiles per item), and U by {@link #MAX_U_BYTES}. Light
     * ResNet-50 and SqueezeNet, one thread, direct → Winograd in the model: 64×56×56 1.0 → 0.35 ms, 128×28×28 → 0.43,
     * 256×14×14 0.87 → 0.68 (0.125 items per tile), 64×13×13→256 0.181 → 0.116 (0.125); 512×7×7 (0.25) lost 1.03 →
     * 1.68 with the earlier products. Besides: at least 16 channels in and out, and two items (one would leave a
     * second thread idle).
     */
    static boolean pays(ConvGeometry g) {
        int tiles = ((g.outH() + TILE - 1) / TILE) * ((g.outW() + TILE - 1) / TILE);
        int items = blocking(tiles, (g.inChannels() + BLOCK - 1) / BLOCK)[0];
        double flops = 2.0 * g.inChannels() * g.outChannels() * 9 * tiles * TILE * TILE;
        double uBytes = 4.0 * POSITIONS * g.inChannels() * g.outChannels();
        return g.inChannels() >= 16 && g.outChannels() >= 16 && items >= 2 && uBytes <= MAX_U_BYTES
                && uBytes * items / flops <= MAX_U_BYTES_PER_FLOP;
    }

    /** See {@link #pays}. */
    static final double MAX_U_BYTES_PER_FLOP = 0.11;
    /** U past this comes from memory for every item wherever the layer sits (256×256 channels: 9.4 MB). */
    static final double MAX_U_BYTES = 16 << 20;

    /**
     * {items, tiles per item} for {@code tiles} tiles of {@code inBlocks} input blocks: as few items as V's budget
     * ({@link #V_FLOATS}) allows, but two at least and four where the tiles make items of {@link #MIN_BLOCK}, an
     * even number (two threads stay balanced), the same number of tiles each (the last within one of the others).
     */
    static int[] blocking(int tiles, int inBlocks) {
        int byCache = Math.clamp(V_FLOATS / (POSITIONS * inBlocks * BLOCK), 1, MAX_BLOCK);
        int n = Math.max((tiles + byCache - 1) / byCache, Math.min(4, Math.max(2, tiles / MIN_BLOCK)));
        n = Math.min(tiles, n > 1 ? (n + 1) / 2 * 2 : n);
        int block = (tiles + n - 1) / n;
        return new int[] {(tiles + block - 1) / block, block};
    }

    /**
     * The strategy for {@code g} ({@link #fits} required) with {@code weights} [Cout][Cin][3][3] and {@code post};
     * {@code null} when {@code Jit.isa("blocked")} is null or the sizes pass the addressing limits.
     */
    public static BlockedWinograd of(ConvGeometry g, float[] weights, PostOps post) {
        return of(g, weights, post, Jit.isa("blocked"));
    }

    /** {@link #of(ConvGeometry, float[], PostOps)} for products on code of {@code isa} (tests: both ISAs). */
    static BlockedWinograd of(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa) {
        if (isa == null || !fits(g, post, true)) {
            return null;
        }
        if ((long) weights.length != 9L * g.outChannels() * g.inChannels()) {
            throw new IllegalArgumentException("blocked Winograd convolution: " + weights.length + " weights for " + g);
        }
        long inBlocks = (g.inChannels() + BLOCK - 1) / BLOCK;
        long outBlocks = (g.outChannels() + BLOCK - 1) / BLOCK;
        if (inBlocks * BLOCK * g.inH() * g.inW() > Integer.MAX_VALUE / 8
                || outBlocks * BLOCK * g.outH() * g.outW() > Integer.MAX_VALUE / 8
                || POSITIONS * inBlocks * BLOCK * outBlocks * BLOCK > Integer.MAX_VALUE / 8
                || POSITIONS * inBlocks * BLOCK * (MAX_BLOCK + 8) > Integer.MAX_VALUE / 8) {
            return null;
        }
        return new BlockedWinograd(g, weights, post, isa);
    }

    private BlockedWinograd(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa) {
        this.g = g;
        this.isa = isa;
        int cin = g.inChannels();
        int cout = g.outChannels();
        this.inBlocks = (cin + BLOCK - 1) / BLOCK;
        this.outBlocks = (cout + BLOCK - 1) / BLOCK;
        this.tilesW = (g.outW() + TILE - 1) / TILE;
        this.tiles = tilesW * ((g.outH() + TILE - 1) / TILE);
        int[] blocking = blocking(tiles, inBlocks);
        this.items = blocking[0];
        this.block = blocking[1];
        int last = tiles - (items - 1) * block;
        int[] t = BlockedConv.tile(isa, outBlocks, 1, block, true);
        this.ocb = Math.min(t[0], outBlocks);
        this.groups = (outBlocks + ocb - 1) / ocb;
        int tailBlocks = outBlocks - (groups - 1) * ocb;
        // Rows of V and M a little longer than the block, positions not 4 KB apart: the 36 rows a transform reads
        // or writes at once fall in different L1 sets.
        this.ldV = block + 1;
        this.ldM = block + 1;
        this.vStride = spread(inBlocks * BLOCK * ldV);
        this.mStride = spread(ocb * BLOCK * ldM);
        this.uOff = new int[groups * POSITIONS];
        float[] u = transformWeights(weights, cout, cin);
        int full = BlockedConvKernel.groupFloats(ocb, inBlocks, 1, 1);
        int tail = BlockedConvKernel.groupFloats(tailBlocks, inBlocks, 1, 1);
        float[] pack = new float[POSITIONS * ((groups - 1) * full + tail)];
        float[] zeros = new float[cout];
        int off = 0;
        for (int gr = 0; gr < groups; gr++) {
            int blocks = gr == groups - 1 ? tailBlocks : ocb;
            for (int p = 0; p < POSITIONS; p++) {
                uOff[gr * POSITIONS + p] = off;
                float[] up = new float[cout * cin];
                System.arraycopy(u, p * cout * cin, up, 0, cout * cin);
                BlockedConvKernel.pack(up, cout, cin, 1, 1, gr * ocb, blocks, pack, off, null, null, zeros, 0f, 0f);
                off += blocks == ocb ? full : tail;
            }
        }
        this.packed = PackedWeights.of(pack);
        KernelCache cache = KernelCache.current();
        int[] widths = {block, last};
        int[] ocbs = {ocb, tailBlocks};
        for (int gi = 0; gi < 2; gi++) {
            for (int wi = 0; wi < 2; wi++) {
                int w = widths[wi];
                int blocks = ocbs[gi];
                int[] rule = BlockedConv.tile(isa, blocks, 1, w, true);
                int ow = Math.min(rule[1], w);
                boolean regs = rule[3] != 0;
                while (!(regs ? BlockedConvKernel.fitsBroadcastRegs(isa, blocks, ow)
                        : BlockedConvKernel.fits(isa, blocks, ow))) {
                    ow--;
                }
                gemm[gi][wi] = new BlockedConvKernel(cache, new BlockedConvKernel.Key(isa, blocks, ow, 1, cin / BLOCK,
                        cin % BLOCK, 1, BLOCK, BLOCK * ldV, BLOCK * ldV, w, 1, 1, List.of(0, 1), 1, 1, 1, 1, 0, w,
                        BLOCK * ldM, 0, false, false, false, DepthwiseKernel.Activation.NONE, regs));
            }
        }
        int padded = outBlocks * BLOCK;
        this.scale = new float[padded];
        this.bias = new float[padded];
        this.alpha = new float[padded];
        float[] s = post.jitScale();
        float[] b = post.jitBias();
        for (int c = 0; c < padded; c++) {
            scale[c] = s != null && c < cout ? s[c] : 1f;
            bias[c] = b != null && c < cout ? b[c] : 0f;
            alpha[c] = c < cout ? post.jitAlpha(c) : 0f;
        }
        this.activation = post.depthwiseJitActivation();
        this.transformActivation = switch (activation) {
            case RELU -> 1;
            case CLAMP -> 2;
            case PRELU -> 3;
            default -> 0;
        };
        this.after = switch (activation) {
            case NONE, RELU, CLAMP, PRELU -> null;
            default -> post.activationOnly();
        };
        this.lo = post.jitAlpha();
        this.hi = post.jitBeta();
        this.residual = post.hasResidual();
    }

    /** {@code floats} rounded up to 4 KB, plus 256 bytes: consecutive positions fall in different groups of L1 sets. */
    private static int spread(int floats) {
        return (floats + 1023) / 1024 * 1024 + 64;
    }

    /** U = G g Gᵀ of every (output, input) channel pair, [position][Cout][Cin], in double then rounded. */
    static float[] transformWeights(float[] weights, int cout, int cin) {
        // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
        double[][] gm = {{0.25, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
            {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
        float[] u = new float[POSITIONS * cout * cin];
        double[] gg = new double[PATCH * 3];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int w = (co * cin + ci) * 9;
                for (int i = 0; i < PATCH; i++) {
                    for (int j = 0; j < 3; j++) {
                        gg[i * 3 + j] = gm[i][0] * weights[w + j] + gm[i][1] * weights[w + 3 + j]
                                + gm[i][2] * weights[w + 6 + j];
                    }
                }
                for (int i = 0; i < PATCH; i++) {
                    for (int k = 0; k < PATCH; k++) {
                        double v = gg[i * 3] * gm[k][0] + gg[i * 3 + 1] * gm[k][1] + gg[i * 3 + 2] * gm[k][2];
                        u[((i * PATCH + k) * cout + co) * cin + ci] = (float) v;
                    }
                }
            }
        }
        return u;
    }

    /** Work items per image: blocks of tiles. */
    @Override
    public int items() {
        return items;
    }

    /** Floats of V and M one thread needs for {@link #runItem}. */
    public int scratchFloats() {
        return POSITIONS * (vStride + mStride);
    }

    /** Work arrays of their own for one thread. */
    public Scratch newScratch() {
        return new Scratch(new float[scratchFloats()], 0, POSITIONS * vStride);
    }

    /** Work arrays for one thread in {@code buffer[offset, offset + scratchFloats())}. */
    public Scratch scratchIn(float[] buffer, int offset) {
        if (offset < 0 || (long) offset + scratchFloats() > buffer.length) {
            throw new IndexOutOfBoundsException("blocked Winograd scratch [" + offset + ", +" + scratchFloats()
                    + ") outside a buffer of " + buffer.length);
        }
        return new Scratch(buffer, offset, offset + POSITIONS * vStride);
    }

    /**
     * Item {@code item} (0 … {@link #items()} − 1) of one image: reads the blocked input [Cb_in][IH][IW][16] at
     * {@code in[inOff ..]} and writes the item's tiles of the blocked output [Cb_out][OH][OW][16] at
     * {@code out[outOff ..]}, adding {@code residual} (blocked like the output, at the same offsets; required when
     * the post-ops add one). {@code s} is the calling thread's (items at once need one each).
     */
    public void runItem(float[] in, int inOff, float[] out, int outOff, float[] residual, int item, Scratch s) {
        if (item < 0 || item >= items) {
            throw new IndexOutOfBoundsException("blocked Winograd item " + item + " of " + items);
        }
        if (this.residual && residual == null) {
            throw new IllegalArgumentException("blocked Winograd convolution: the post-ops add a residual, none given");
        }
        long inEnd = (long) inOff + (long) inBlocks * BLOCK * g.inH() * g.inW();
        long outEnd = (long) outOff + (long) outBlocks * BLOCK * g.outH() * g.outW();
        if (inOff < 0 || inEnd > in.length || outOff < 0 || outEnd > out.length
                || (this.residual && outEnd > residual.length)) {
            throw new IndexOutOfBoundsException("blocked Winograd convolution: arrays of " + in.length + " / "
                    + out.length + " floats for input at " + inOff + " and output at " + outOff + " of " + g);
        }
        int t0 = item * block;
        int n = Math.min(block, tiles - t0);
        boolean shortItem = n != block;
        for (int cb = 0; cb < inBlocks; cb++) {
            for (int t = 0; t < n; t++) {
                inputTile(in, inOff, cb, t0 + t, s, s.vOff + cb * BLOCK * ldV + t * BLOCK);
            }
        }
        for (int gr = 0; gr < groups; gr++) {
            boolean tailGroup = gr == groups - 1 && outBlocks - gr * ocb != ocb;
            BlockedConvKernel k = gemm[tailGroup ? 1 : 0][shortItem ? 1 : 0];
            int blocks = k.key().ocb();
            for (int p = 0; p < POSITIONS; p++) {
                k.run(s.buffer, s.vOff + p * vStride, packed, uOff[gr * POSITIONS + p], s.buffer,
                        s.mOff + p * mStride, null, 1);
            }
            for (int o = 0; o < blocks; o++) {
                for (int t = 0; t < n; t++) {
                    outputTile(s, s.mOff + o * BLOCK * ldM + t * BLOCK, gr * ocb + o, t0 + t, out, outOff, residual);
                }
            }
        }
    }

    /**
     * Bᵀ d B of tile {@code tile}'s 6×6 patch in input block {@code cb}, into V at {@code vAt} (of the scratch's
     * buffer) + position stride.
     */
    private void inputTile(float[] in, int inOff, int cb, int tile, Scratch s, int vAt) {
        int ty = tile / tilesW;
        int tx = tile - ty * tilesW;
        int y0 = ty * TILE - g.padTop();
        int x0 = tx * TILE - g.padLeft();
        int inW = g.inW();
        float[] src;
        int base;
        int rs;
        if (y0 >= 0 && x0 >= 0 && y0 + PATCH <= g.inH() && x0 + PATCH <= inW) {
            src = in;
            base = inOff + ((cb * g.inH() + y0) * inW + x0) * BLOCK;
            rs = inW * BLOCK;
        } else {
            src = s.patch;
            base = 0;
            rs = PATCH * BLOCK;
            java.util.Arrays.fill(src, 0f);
            for (int i = 0; i < PATCH; i++) {
                int y = y0 + i;
                if (y < 0 || y >= g.inH()) {
                    continue;
                }
                int xa = Math.max(0, x0);
                int xb = Math.min(inW, x0 + PATCH);
                if (xb > xa) {
                    System.arraycopy(in, inOff + ((cb * g.inH() + y) * inW + xa) * BLOCK, src,
                            (i * PATCH + xa - x0) * BLOCK, (xb - xa) * BLOCK);
                }
            }
        }
        float[] mid = s.mid;
        float[] v = s.buffer;
        int vs = vStride;
        FloatVector kMinus4 = FloatVector.broadcast(S, -4f);
        FloatVector k4 = FloatVector.broadcast(S, 4f);
        for (int h = 0; h < BLOCK; h += L) {
            // Bᵀ d down each column j: rows of Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0;
            // 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
            for (int j = 0; j < PATCH; j++) {
                int at = base + j * BLOCK + h;
                FloatVector d0 = FloatVector.fromArray(S, src, at);
                FloatVector d1 = FloatVector.fromArray(S, src, at + rs);
                FloatVector d2 = FloatVector.fromArray(S, src, at + 2 * rs);
                FloatVector d3 = FloatVector.fromArray(S, src, at + 3 * rs);
                FloatVector d4 = FloatVector.fromArray(S, src, at + 4 * rs);
                FloatVector d5 = FloatVector.fromArray(S, src, at + 5 * rs);
                FloatVector a = d2.fma(kMinus4, d4);
                FloatVector b = d1.fma(kMinus4, d3);
                FloatVector c = d4.sub(d2);
                FloatVector e = d3.sub(d1).mul(2f);
                int m = j * BLOCK + h;
                d0.fma(k4, d4).add(d2.mul(-5f)).intoArray(mid, m);
                a.add(b).intoArray(mid, m + PATCH * BLOCK);
                a.sub(b).intoArray(mid, m + 2 * PATCH * BLOCK);
                c.add(e).intoArray(mid, m + 3 * PATCH * BLOCK);
                c.sub(e).intoArray(mid, m + 4 * PATCH * BLOCK);
                d1.fma(k4, d5).add(d3.mul(-5f)).intoArray(mid, m + 5 * PATCH * BLOCK);
            }
            // (Bᵀ d) B along each row i: the same combination of its six columns, into positions 6i … 6i + 5.
            for (int i = 0; i < PATCH; i++) {
                int at = i * PATCH * BLOCK + h;
                FloatVector d0 = FloatVector.fromArray(S, mid, at);
                FloatVector d1 = FloatVector.fromArray(S, mid, at + BLOCK);
                FloatVector d2 = FloatVector.fromArray(S, mid, at + 2 * BLOCK);
                FloatVector d3 = FloatVector.fromArray(S, mid, at + 3 * BLOCK);
                FloatVector d4 = FloatVector.fromArray(S, mid, at + 4 * BLOCK);
                FloatVector d5 = FloatVector.fromArray(S, mid, at + 5 * BLOCK);
                FloatVector a = d2.fma(kMinus4, d4);
                FloatVector b = d1.fma(kMinus4, d3);
                FloatVector c = d4.sub(d2);
                FloatVector e = d3.sub(d1).mul(2f);
                int p = i * PATCH * vs + vAt + h;
                d0.fma(k4, d4).add(d2.mul(-5f)).intoArray(v, p);
                a.add(b).intoArray(v, p + vs);
                a.sub(b).intoArray(v, p + 2 * vs);
                c.add(e).intoArray(v, p + 3 * vs);
                c.sub(e).intoArray(v, p + 4 * vs);
                d1.fma(k4, d5).add(d3.mul(-5f)).intoArray(v, p + 5 * vs);
            }
        }
    }

    /**
     * Aᵀ m A of one tile's products in M at {@code mAt} (of the scratch's buffer) + position stride, output block
     * {@code ob}, with the post-ops, into the output pixels the tile covers.
     */
    private void outputTile(Scratch s, int mAt, int ob, int tile, float[] out, int outOff, float[] res) {
        int ty = tile / tilesW;
        int tx = tile - ty * tilesW;
        int oh = g.outH();
        int ow = g.outW();
        int rows = Math.min(TILE, oh - ty * TILE);
        int cols = Math.min(TILE, ow - tx * TILE);
        float[] mid = s.mid;
        float[] m = s.buffer;
        int ms = mStride;
        FloatVector k2 = FloatVector.broadcast(S, 2f);
        FloatVector k4 = FloatVector.broadcast(S, 4f);
        FloatVector k8 = FloatVector.broadcast(S, 8f);
        int planeBase = outOff + ob * oh * ow * BLOCK;
        // Without a residual, zeros are added (exact): one expression for both.
        float[] resid = residual ? res : ZEROS;
        int act = transformActivation;
        for (int h = 0; h < BLOCK; h += L) {
            // Aᵀ m down each column j: Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
            for (int j = 0; j < PATCH; j++) {
                int at = j * ms + mAt + h;
                FloatVector m0 = FloatVector.fromArray(S, m, at);
                FloatVector m1 = FloatVector.fromArray(S, m, at + PATCH * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * PATCH * ms);
                FloatVector m3 = FloatVector.fromArray(S, m, at + 3 * PATCH * ms);
                FloatVector m4 = FloatVector.fromArray(S, m, at + 4 * PATCH * ms);
                FloatVector m5 = FloatVector.fromArray(S, m, at + 5 * PATCH * ms);
                FloatVector a = m1.add(m2);
                FloatVector b = m1.sub(m2);
                FloatVector c = m3.add(m4);
                FloatVector e = m3.sub(m4);
                int q = j * BLOCK + h;
                m0.add(a).add(c).intoArray(mid, q);
                e.fma(k2, b).intoArray(mid, q + PATCH * BLOCK);
                c.fma(k4, a).intoArray(mid, q + 2 * PATCH * BLOCK);
                e.fma(k8, b).add(m5).intoArray(mid, q + 3 * PATCH * BLOCK);
            }
            int c0 = ob * BLOCK + h;
            FloatVector vs = FloatVector.fromArray(S, scale, c0);
            FloatVector vb = FloatVector.fromArray(S, bias, c0);
            FloatVector va = FloatVector.fromArray(S, alpha, c0);
            for (int r = 0; r < rows; r++) {
                int at = r * PATCH * BLOCK + h;
                FloatVector m0 = FloatVector.fromArray(S, mid, at);
                FloatVector m1 = FloatVector.fromArray(S, mid, at + BLOCK);
                FloatVector m2 = FloatVector.fromArray(S, mid, at + 2 * BLOCK);
                FloatVector m3 = FloatVector.fromArray(S, mid, at + 3 * BLOCK);
                FloatVector m4 = FloatVector.fromArray(S, mid, at + 4 * BLOCK);
                FloatVector m5 = FloatVector.fromArray(S, mid, at + 5 * BLOCK);
                FloatVector a = m1.add(m2);
                FloatVector b = m1.sub(m2);
                FloatVector c = m3.add(m4);
                FloatVector e = m3.sub(m4);
                // The row's four values staged in L1, then each column the tile covers written out with the
                // post-ops: scale and bias (1 and 0 when absent, exact), the residual, the activation, one
                // statement per case (a vector chosen by a condition may stay boxed).
                float[] row = s.patch;
                m0.add(a).add(c).intoArray(row, h);
                e.fma(k2, b).intoArray(row, BLOCK + h);
                c.fma(k4, a).intoArray(row, 2 * BLOCK + h);
                e.fma(k8, b).add(m5).intoArray(row, 3 * BLOCK + h);
                int o = planeBase + ((ty * TILE + r) * ow + tx * TILE) * BLOCK + h;
                for (int col = 0; col < cols; col++) {
                    int to = o + col * BLOCK;
                    int from = col * BLOCK + h;
                    FloatVector y = FloatVector.fromArray(S, row, from).fma(vs, vb);
                    FloatVector z = FloatVector.fromArray(S, resid, residual ? to : 0);
                    if (act == 1) {
                        y.add(z).reinterpretAsInts().max(0).reinterpretAsFloats().intoArray(out, to);
                    } else if (act == 2) {
                        y.add(z).max(lo).min(hi).intoArray(out, to);
                    } else if (act == 3) {
                        FloatVector x = y.add(z);
                        x.blend(x.mul(va), x.compare(VectorOperators.LT, 0f)).intoArray(out, to);
                    } else {
                        y.add(z).intoArray(out, to);
                    }
                }
            }
        }
        if (after != null) {
            for (int r = 0; r < rows; r++) {
                after.apply(out, planeBase + ((ty * TILE + r) * ow + tx * TILE) * BLOCK, cols * BLOCK, 0, null);
            }
        }
    }

    /** Multiply-adds × 2 of one image, as the direct convolution counts them. */
    @Override
    public long flops() {
        return 2L * g.outChannels() * g.outH() * g.outW() * g.inChannels() * 9;
    }

    /** Bytes of one image's input and output activations and of the transformed weights. */
    @Override
    public long bytes() {
        return 4L * ((long) inBlocks * BLOCK * g.inH() * g.inW() + (long) outBlocks * BLOCK * g.outH() * g.outW())
                + packed.byteSize();
    }

    /** {@code jit_avx512} or {@code jit_avx2}: the ISA of the products. */
    public String implementation() {
        return "jit_" + isa.label();
    }

    @Override
    public String execName() {
        return "blocked_winograd_f43_" + implementation();
    }

    @Override
    public String toString() {
        return "BlockedWinograd[F(4x4,3x3) " + implementation() + " tiles " + tiles + " items " + items + " " + g
                + "]";
    }
}
