package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import jdk.incubator.vector.FloatVector;

/**
 * The GEMM micro-kernel a layer runs: generated x86-64 code ({@link GemmKernel}, from the compiling model's
 * {@link KernelCache}) when the JIT is on ({@link Jit#isa()}), else the Vector API {@link PackedGemm#kernel}. Same
 * packed layout and tile ({@link PackedGemm#MR} × {@link PackedGemm#NR}) either way, so the weights packed once serve
 * both. Immutable; chosen when the layer is compiled.
 */
public final class MicroKernel {
    /** The Vector API kernel. */
    public static final MicroKernel VECTOR = new MicroKernel(null, null);

    /** {@code Mode.values()} copies its array on every call: looked up once. */
    private static final GemmKernel.Mode[] MODES = GemmKernel.Mode.values();
    private static final int MR = PackedGemm.MR;
    private static final int NR = PackedGemm.NR;

    private final Jit.Isa isa;
    private final KernelCache cache;
    /**
     * Packed panels per register tile: 2 with AVX-512 (12 rows × 32 columns, 24 of the 32 zmm registers
     * accumulating: per K step 2 loads of B and 12 broadcasts feed 24 FMAs, so each B vector loaded serves 12 FMAs
     * instead of 6, which halves the B traffic from L1/L2 and gives two FMA ports enough independent chains), 1
     * otherwise (AVX2's 16 registers hold 6×16; the Vector API kernel is 6×2 vectors).
     */
    private final int tilePanels;
    /** [mode][mr - 1]: no post-ops, full width. */
    private final GemmKernel[][] plain;
    /** [mode][mr - 1]: no post-ops, under opmasks (AVX-512), for the narrow last column panel. */
    private final GemmKernel[][] masked;
    /** [mode][mr - 1]: no post-ops, full width, prefetching B ahead ({@link GemmKernel.Key#prefetchB}). */
    private final GemmKernel[][] prefetching;
    /**
     * [B ahead ? 1 : 0][mode][mr - 1]: no post-ops, full width, prefetching C ahead ({@link GemmKernel.Key#prefetchC}),
     * and B ahead with 1 ({@link GemmKernel.Key#prefetchB}).
     */
    private final GemmKernel[][][] plainAhead;

    private MicroKernel(Jit.Isa isa, KernelCache cache) {
        this.isa = isa;
        this.cache = cache;
        int modes = isa == null ? 0 : MODES.length;
        this.tilePanels = isa == Jit.Isa.AVX512 ? 2 : 1;
        // Generated on first use (see get): a layer needs few of the variants (its mr values, tails or not).
        this.plain = new GemmKernel[modes][maxTileRows()];
        this.masked = new GemmKernel[isa == Jit.Isa.AVX512 ? modes : 0][maxTileRows()];
        this.prefetching = new GemmKernel[modes][maxTileRows()];
        this.plainAhead = new GemmKernel[2][modes][maxTileRows()];
    }

    /**
     * {@code table[i][mr - 1]}, generated (or found in the model's cache) the first time it is asked for. Racing
     * threads may both build the object; the cache maps the code once, and a {@link GemmKernel} is immutable.
     */
    private GemmKernel get(GemmKernel[][] table, int i, int mr, GemmKernel.Mode mode, PostOps post, boolean tail,
                           boolean prefetch) {
        return get(table, i, mr, mode, post, tail, prefetch, false);
    }

    /** As above; {@code prefetchC}: {@link GemmKernel.Key#prefetchC}. */
    private GemmKernel get(GemmKernel[][] table, int i, int mr, GemmKernel.Mode mode, PostOps post, boolean tail,
                           boolean prefetch, boolean prefetchC) {
        GemmKernel k = table[i][mr - 1];
        if (k == null) {
            k = new GemmKernel(cache, new GemmKernel.Key(isa, MR, mr, NR, mode, post.jitScale() != null,
                    post.jitBias() != null, post.hasResidual(), post.jitActivation(), tail, false, false, prefetch,
                    prefetchC));
            table[i][mr - 1] = k;
        }
        return k;
    }

    /** The micro-kernel for a layer compiled now: generated for {@link Jit#isa()}, or the Vector API one. */
    public static MicroKernel forCompilation() {
        return of(Jit.isa());
    }

    /** Generated for {@code isa} ({@code null}: the Vector API kernel), in the current {@link KernelCache}. */
    public static MicroKernel of(Jit.Isa isa) {
        return isa == null ? VECTOR : new MicroKernel(isa, KernelCache.current());
    }

    /** Whether generated code runs. */
    public boolean isJit() {
        return isa != null;
    }

    /**
     * Packed {@link PackedGemm#MR}-row panels one generated tile covers: its rows go up to {@code tilePanels · MR},
     * the rows past MR read the next panel ({@code kc · MR} floats after the first). 1 for the Vector API kernel.
     */
    int tilePanels() {
        return tilePanels;
    }

    /**
     * Rows a tile may have: {@code tilePanels · MR}, and with AVX-512 up to {@link #LAST_TILE_EXTRA} more from a
     * third panel, for a sweep whose last panel holds that few rows (see {@link #lastTileRows}).
     */
    int maxTileRows() {
        return tilePanels * MR + (tilePanels == 2 ? LAST_TILE_EXTRA : 0);
    }

    /**
     * Rows past two panels a 3-panel AVX-512 tile takes: 14 × 2 vectors is the largest tile the 32 registers hold
     * (28 accumulators, 2 of B, 1 broadcast of A).
     */
    static final int LAST_TILE_EXTRA = 2;

    /**
     * With two-panel tiles: when the rows left after this tile (starting at {@code row}, of {@code rows} in all)
     * are at most {@link #LAST_TILE_EXTRA}, this tile takes them (rows of a third panel), so no tile of one or two
     * rows runs on its own (49 pixels of a 7×7 output: 12 + 12 + 12 + 13 rows instead of 4 × 12 + a 6-row tile for
     * one pixel; 13×13: ... + 13). Else the usual {@code min(tilePanels · MR, rows - row)}.
     */
    int lastTileRows(int row, int rows) {
        int left = rows - row;
        int tile = tilePanels * MR;
        return tilePanels == 2 && left > tile && left <= tile + LAST_TILE_EXTRA ? left : Math.min(tile, left);
    }

    /** Whether column tails run under opmasks (AVX-512) rather than through a zero-padded copy. */
    boolean masksTails() {
        return masked.length > 0;
    }

    /** For exec types: {@code jit_avx512}, {@code jit_avx2} or {@code vector512}. */
    public String implementation() {
        return isa != null ? "jit_" + isa.label() : "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    GemmKernel kernel(GemmKernel.Mode mode, int mr, PostOps post, boolean tail) {
        return kernel(mode, mr, post, tail, false, false, false);
    }

    /** As above, prefetching B ahead when {@code prefetch} ({@link GemmKernel.Key#prefetchB}). */
    GemmKernel kernel(GemmKernel.Mode mode, int mr, PostOps post, boolean tail, boolean prefetch) {
        return kernel(mode, mr, post, tail, false, false, prefetch);
    }

    /** The generated kernel with {@code post} in its key (segmented tiles, or post-ops per column). */
    private GemmKernel kernel(GemmKernel.Mode mode, int mr, PostOps post, boolean tail, boolean segmented,
                              boolean byColumn) {
        return kernel(mode, mr, post, tail, segmented, byColumn, false);
    }

    private GemmKernel kernel(GemmKernel.Mode mode, int mr, PostOps post, boolean tail, boolean segmented,
                              boolean byColumn, boolean prefetch) {
        return new GemmKernel(cache, new GemmKernel.Key(isa, MR, mr, NR, mode, post.jitScale() != null,
                post.jitBias() != null, post.hasResidual(), post.jitActivation(), tail, segmented, byColumn,
                prefetch));
    }

    private static int mode(boolean first, boolean integerSums) {
        return (integerSums ? 2 : 0) + (first ? 0 : 1);
    }

    /** {@link PackedGemm#kernel}'s contract: one MR×NR tile of C over kc steps, rows past {@code mr} untouched. */
    void tile(int kc, float[] pa, int ai, float[] b, int bi, int ldb, float[] c, int cc, int ldc, int mr,
              boolean first, boolean integerSums) {
        if (isa == null) {
            PackedGemm.kernel(kc, pa, ai, b, bi, ldb, c, cc, ldc, mr, first, integerSums);
            return;
        }
        sweep(kc, 1, pa, ai, 0, b, bi, ldb, 0, c, cc, ldc, 0, mr, first, integerSums);
    }

    /**
     * {@code count} tiles of {@link #tile}, each {@code aStep}, {@code bStep}, {@code cStep} elements after the
     * previous one (generated code: one call).
     */
    void sweep(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, int bStep, float[] c,
               int cc, int ldc, int cStep, int mr, boolean first, boolean integerSums) {
        sweep(kc, count, pa, ai, aStep, b, bi, ldb, bStep, c, cc, ldc, cStep, mr, first, integerSums, 0,
                count * mr);
    }

    /**
     * As above; with {@code prefetch} ≠ 0, generated tiles also prefetch at each K step the B row {@code prefetch}
     * floats past the one they load (a sweep over one weight panel: the next panel). Only the first {@code rows}
     * rows of C are needed (the last panel may be partly padding): a last panel of at most
     * {@link #LAST_TILE_EXTRA} needed rows then joins the tile before it (rows past {@code rows} left alone).
     */
    void sweep(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, int bStep, float[] c,
               int cc, int ldc, int cStep, int mr, boolean first, boolean integerSums, int prefetch, int rows) {
        boolean pf = prefetch != 0;
        if (isa == null) {
            for (int t = 0; t < count; t++) {
                PackedGemm.kernel(kc, pa, ai + t * aStep, b, bi + t * bStep, ldb, c, cc + t * cStep, ldc, mr, first,
                        integerSums);
            }
            return;
        }
        if (kc == 0) {
            return;
        }
        if (tilePanels == 2 && mr == MR && count > 1 && aStep == kc * MR && bStep == 0 && cStep == MR * ldc) {
            int joinRows = joinedRows(count, rows);
            panels(plain(first, integerSums, MR, pf), plain(first, integerSums, 2 * MR, pf),
                    joinRows == 0 ? null : plain(first, integerSums, 2 * MR + joinRows, pf), kc, count, pa, ai, aStep,
                    b, bi, ldb, c, cc, ldc, cStep, null, 0, null, 0, null, 0, 0, prefetch, null, 0);
            return;
        }
        plain(first, integerSums, mr, pf).run(kc, count, pa, ai, aStep, b, bi, ldb, bStep, c, cc, ldc, cStep,
                NR, null, 0, null, 0, 0, null, 0, 0, prefetch);
    }

    /**
     * {@link #sweep} of full-width tiles ({@code mr} = MR rows, consecutive panels down consecutive rows of C, as
     * {@link ChannelLaneConv} runs them) on the last K block with post-ops per column: {@code kernels[rows − 1]} the
     * kernels from {@link Fused#byColumn} for MR-row tiles, 2·MR rows (or {@code null}) and, where the layer has one,
     * a joined last panel of 2·MR + 1 or 2 rows; every tile reads scale and bias from the same offsets and the
     * residual at C's, PReLU's slopes as scale. {@code prefetch} and {@code rows} as for {@link #sweep}.
     */
    void sweepByColumn(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, float[] c,
                       int cc, int ldc, int cStep, GemmKernel[] kernels, float[] scale, int scaleOff,
                       float[] bias, int biasOff, float[] residual, float alpha, float beta, int prefetch, int rows,
                       float[] slopes, int slopeOff) {
        GemmKernel two = kernels.length >= 2 * MR ? kernels[2 * MR - 1] : null;
        if (two != null && count > 1) {
            int joinRows = joinedRows(count, rows);
            panels(kernels[MR - 1], two, joinRows == 0 ? null : kernels[2 * MR + joinRows - 1], kc, count, pa, ai,
                    aStep, b, bi, ldb, c, cc, ldc, cStep, scale, scaleOff, bias, biasOff, residual, alpha, beta,
                    prefetch, slopes, slopeOff);
            return;
        }
        kernels[MR - 1].run(kc, count, pa, ai, aStep, b, bi, ldb, 0, c, cc, ldc, cStep, NR, scale, scaleOff, bias,
                biasOff, 0, residual, alpha, beta, prefetch, slopes, slopeOff);
    }

    /**
     * The needed rows of the last of {@code count} panels ({@code rows} needed in all) when few enough to join the
     * tile before it as its third panel (1 to {@link #LAST_TILE_EXTRA}, and {@code count} odd), else 0.
     */
    private static int joinedRows(int count, int rows) {
        int lastRows = rows - (count - 1) * MR;
        return count % 2 == 1 && lastRows >= 1 && lastRows <= LAST_TILE_EXTRA ? lastRows : 0;
    }

    /**
     * {@code count} full-width MR-row panels down consecutive rows of C ({@code aStep} = kc·MR, {@code cStep} = MR
     * rows of C, one B): two panels per tile on {@code two}, then the odd one on {@code one}, or, with
     * {@code joined} ≠ null, the odd last panel as the third panel of the last pair's tile. Post-op arguments as
     * {@link GemmKernel#run}'s (none for plain kernels).
     */
    private static void panels(GemmKernel one, GemmKernel two, GemmKernel joined, int kc, int count, float[] pa,
                               int ai, int aStep, float[] b, int bi, int ldb, float[] c, int cc, int ldc, int cStep,
                               float[] scale, int scaleOff, float[] bias, int biasOff, float[] residual, float alpha,
                               float beta, int prefetch, float[] slopes, int slopeOff) {
        int pairs = count / 2;
        if (pairs > (joined != null ? 1 : 0)) {
            two.run(kc, joined != null ? pairs - 1 : pairs, pa, ai, 2 * aStep, b, bi, ldb, 0, c, cc, ldc, 2 * cStep,
                    NR, scale, scaleOff, bias, biasOff, 0, residual, alpha, beta, prefetch, slopes, slopeOff);
        }
        if (joined != null) {
            int at = 2 * (pairs - 1);
            joined.run(kc, 1, pa, ai + at * aStep, 0, b, bi, ldb, 0, c, cc + at * cStep, ldc, 0, NR, scale, scaleOff,
                    bias, biasOff, 0, residual, alpha, beta, prefetch, slopes, slopeOff);
        } else if (count % 2 == 1) {
            one.run(kc, 1, pa, ai + 2 * pairs * aStep, aStep, b, bi, ldb, 0, c, cc + 2 * pairs * cStep, ldc, cStep,
                    NR, scale, scaleOff, bias, biasOff, 0, residual, alpha, beta, prefetch, slopes, slopeOff);
        }
    }

    /** {@link #sweep} of tiles {@code width} &lt; NR columns wide, under opmasks (only when {@link #masksTails}). */
    void sweepMasked(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, int bStep,
                     float[] c, int cc, int ldc, int cStep, int mr, int width, boolean first, boolean integerSums) {
        if (kc == 0) {
            return;
        }
        masked(first, integerSums, mr).run(kc, count, pa, ai, aStep, b, bi, ldb, bStep, c, cc, ldc,
                cStep, width, null, 0, null, 0, 0, null, 0, 0);
    }

    /**
     * The segmented kernel for {@code mr} rows (each tile sums over a {@link GemmKernel.Segments} table, in
     * registers), or {@code null} when the JIT is off.
     */
    GemmKernel segmented(int mr) {
        return isa == null ? null : kernel(GemmKernel.Mode.FIRST, mr, PostOps.NONE, false, true, false);
    }

    /** The full-width kernel without post-ops for this K block. */
    GemmKernel plain(boolean first, boolean integerSums, int mr) {
        int m = mode(first, integerSums);
        return get(plain, m, mr, MODES[m], PostOps.NONE, false, false);
    }

    /** As {@link #plain}, prefetching B ahead (see {@link GemmKernel.Key#prefetchB}); {@code plain} when off. */
    GemmKernel plain(boolean first, boolean integerSums, int mr, boolean prefetch) {
        if (!prefetch) {
            return plain(first, integerSums, mr);
        }
        int m = mode(first, integerSums);
        return get(prefetching, m, mr, MODES[m], PostOps.NONE, false, true);
    }

    /**
     * As {@link #plain} for a sweep along the columns of C: with {@code aheadC} each tile first prefetches the C lines
     * {@link GemmKernel#C_AHEAD} tiles on ({@link GemmKernel.Key#prefetchC}), with {@code aheadB} also (each K step)
     * the B row that far on ({@link GemmKernel.Key#prefetchB}, the call's distance); {@code plain} when neither.
     */
    GemmKernel plain(boolean first, boolean integerSums, int mr, boolean aheadC, boolean aheadB) {
        if (!aheadC && !aheadB) {
            return plain(first, integerSums, mr);
        }
        int m = mode(first, integerSums);
        return get(plainAhead[aheadB ? 1 : 0], m, mr, MODES[m], PostOps.NONE, false, aheadB, aheadC);
    }

    /** The masked kernel without post-ops (AVX-512). */
    GemmKernel masked(boolean first, boolean integerSums, int mr) {
        int m = mode(first, integerSums);
        return get(masked, m, mr, MODES[m], PostOps.NONE, true, false);
    }

    /**
     * The kernels applying {@code post} in registers on the last K block, or {@code null} when these post-ops cannot
     * run there (int32 sums, codes) or the JIT is off; PReLU layers also with {@code -Dinfero.jit.prelu=off} (their
     * post-ops then run in Java after the tiles, for A/B measurements).
     */
    public Fused fuse(PostOps post) {
        if (isa == null || !post.jitFusable() || post.isIdentity()
                || post.jitSlopes() != null && Jit.switchedOff("prelu")) {
            return null;
        }
        return new Fused(this, post);
    }

    /** Kernels with a layer's post-ops, generated on first use: [first ? 0 : 1][mr - 1], full width and masked. */
    public static final class Fused {
        private final MicroKernel micro;
        private final PostOps post;
        private final GemmKernel[][] full;
        /** [B ahead ? 1 : 0][first ? 0 : 1][mr - 1]: full width, prefetching C (and B) ahead. */
        private final GemmKernel[][][] fullAhead;
        private final GemmKernel[][] tail;
        final float[] scale;
        final float[] bias;
        final float alpha;
        final float beta;
        /** PReLU's slope per output channel, or null. */
        final float[] slopes;

        Fused(MicroKernel micro, PostOps post) {
            this.micro = micro;
            this.post = post;
            full = new GemmKernel[2][micro.maxTileRows()];
            fullAhead = new GemmKernel[2][2][micro.maxTileRows()];
            tail = new GemmKernel[micro.masksTails() ? 2 : 0][micro.maxTileRows()];
            scale = post.jitScale();
            bias = post.jitBias();
            alpha = post.jitAlpha();
            beta = post.jitBeta();
            slopes = post.jitSlopes();
        }

        /** The kernel for the last K block, starting from zero ({@code first}) or from C. */
        GemmKernel kernel(boolean tailColumns, boolean first, int mr) {
            return kernel(tailColumns, first, mr, false, false);
        }

        /**
         * As above; full width with {@code aheadC} and {@code aheadB}: prefetching C (and the residual) and B ahead
         * as {@link MicroKernel#plain(boolean, boolean, int, boolean, boolean)}.
         */
        GemmKernel kernel(boolean tailColumns, boolean first, int mr, boolean aheadC, boolean aheadB) {
            GemmKernel.Mode mode = first ? GemmKernel.Mode.FIRST : GemmKernel.Mode.ACCUMULATE;
            if (tailColumns || !aheadC && !aheadB) {
                return micro.get(tailColumns ? tail : full, first ? 0 : 1, mr, mode, post, tailColumns, false);
            }
            return micro.get(fullAhead[aheadB ? 1 : 0], first ? 0 : 1, mr, mode, post, false, aheadB, aheadC);
        }

        /**
         * The segmented kernel for {@code mr} rows with these post-ops after its last segment (all K blocks sum in
         * registers, so they apply once); generated now (layers ask when they are compiled).
         */
        GemmKernel segmented(int mr) {
            return micro.kernel(GemmKernel.Mode.FIRST, mr, post, false, true, false);
        }

        /**
         * The full-width kernel for the last K block of a transposed product (output channels in the lanes,
         * {@link ChannelLaneConv}): these post-ops per column, scale and bias read as vectors, prefetching B ahead as
         * the channel-lane sweeps do; generated now.
         */
        GemmKernel byColumn(boolean first, int mr) {
            return micro.kernel(first ? GemmKernel.Mode.FIRST : GemmKernel.Mode.ACCUMULATE, mr, post, false, false,
                    true, true);
        }
    }
}
