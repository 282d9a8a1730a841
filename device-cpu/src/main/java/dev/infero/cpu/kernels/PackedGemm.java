package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.jit.Jit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = A·B} for a constant left matrix A (convolution or fully connected weights) packed once, at compile time,
 * into {@link #MR}-row panels, k-major, KC-block by KC-block so that a pass over K streams them sequentially; B
 * (activations) is read in place. Layers in vision models are wide and shallow (N = output pixels in the thousands,
 * K = input channels × kernel area in the tens or hundreds), so one {@code K×NR} column panel of B stays in L1 while
 * every row panel of A streams past it; deep layers with few output pixels (7×7) turn the loops around, so their
 * megabytes of weights are read once. The micro-kernel keeps an MR×NR tile of C in 12 vector registers over a whole
 * {@link #KC}-deep slice of K with plain vector loads and stores; a last column panel narrower than NR goes through a
 * zero-padded copy (any vector width, any shape). Generated AVX-512 code ({@link MicroKernel}) runs tiles of two
 * consecutive panels (12 × NR, 24 accumulators) over the same layout, blocked by 16 column panels with each tile
 * sweeping a block's panels in one call, and copies a large B shared by many rows into packed panels first (see
 * {@code multiplyRows}).
 */
public final class PackedGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorOperators.Conversion<Float, Integer> F2I = VectorOperators.F2I;
    private static final int L = S.length();
    public static final int MR = 6;
    public static final int NR = 2 * L;
    /** Depth of one pass: a KC×NR panel of B (32 KB with AVX-512) stays in L1 while A's panels stream. */
    public static final int KC = 256;
    /** Up to this many column panels, a pass over K walks row panels outside column panels (see multiplyRows). */
    private static final int ROWS_OUTER_PANELS = 4;
    /** Column panels per block of the generated kernels' loops (see the JIT {@code multiplyRows}): 512 columns. */
    static final int BLOCK_PANELS = 16;
    /**
     * A B of at most this many floats in all (an im2col chunk, written just before) is in cache: it is copied into
     * packed panels only for {@link #PACK_ROWS} rows or more.
     */
    private static final int IN_CACHE_FLOATS = 64 * 1024;
    /**
     * B is copied into packed panels (see the JIT {@code multiplyRows}) when at least this many rows of C share it,
     * or, when it is larger than {@link #IN_CACHE_FLOATS}, when its K block is deeper than {@link #PACK_DEPTH} (deep
     * panels read in place evict each other from L1): otherwise the copy costs more than the row tiles save
     * (ConvCpuTime 64×56×56→64 1×1: 176 GFLOPS in place, 154 copied; 16×160×160→32 3×3/2 im2col, K = 144: 97–103 in
     * place, 82 copied).
     */
    private static final int PACK_ROWS = 128;
    private static final int PACK_DEPTH = 128;
    /**
     * Floats between consecutive packed panels beyond their {@code kc·NR}: one cache line, so the rows that
     * {@code packBlock} writes to the block's panels at once do not all map to the same L1 set.
     */
    private static final int PACK_SKEW = 16;
    /**
     * A B or C of more floats than this (2 MB, a core's L2 here) cannot be in L2 when a product starts: its generated
     * sweeps prefetch ahead (see {@code ahead}).
     */
    private static final long BEYOND_L2_FLOATS = 512 * 1024;
    /** Where the packed block starts in the workspace: after the narrow panel's copy and its C tile. */
    private static final int PACK_AT = KC * NR + MR * NR;

    private final int m;
    private final int k;
    private final float[] packed;
    private final MicroKernel micro;
    /**
     * Whether generated sweeps along the columns of C prefetch ahead into L2 when C or B is larger than L2
     * ({@link #BEYOND_L2_FLOATS}): {@link GemmKernel.Key#prefetchC}, each tile the C and residual lines
     * {@link GemmKernel#C_AHEAD} tiles on; {@link GemmKernel.Key#prefetchB}, each K step of a block's first row tile
     * the B row that far on, when B is read in place. Off with {@code -Dinfero.jit.ahead=off}, read when the weights
     * are packed (for A/B runs).
     */
    private final boolean ahead;

    /**
     * Packs the row-major {@code m×k} matrix at {@code a[aOff]} (leading dimension {@code lda}) into MR-row panels,
     * see {@link #pack}.
     */
    public PackedGemm(int m, int k, float[] a, int aOff, int lda) {
        this(m, k, a, aOff, lda, MicroKernel.VECTOR);
    }

    /** As above, multiplying with {@code micro} (generated code or the Vector API kernel). */
    public PackedGemm(int m, int k, float[] a, int aOff, int lda, MicroKernel micro) {
        this.m = m;
        this.k = k;
        this.micro = micro;
        this.ahead = micro.isJit() && !Jit.switchedOff("ahead");
        this.packed = new float[(m + MR - 1) / MR * MR * k];
        pack(m, k, MR, a, aOff, lda, packed);
    }

    /**
     * Packs the row-major {@code m×k} matrix at {@code a[aOff]} (leading dimension {@code lda}) into panels of
     * {@code height} rows ({@code height} values per step of K, zero past row m), KC-block by KC-block: within a
     * block, panel after panel, so one pass over K reads {@code dst} sequentially (see {@link #panelOffset}). Weights
     * as MR-row panels here (the micro-kernel's A); as NR-column panels of the transposed weights (its B, read with
     * {@code ldb = NR}) in {@link ChannelLaneConv}.
     */
    static void pack(int m, int k, int height, float[] a, int aOff, int lda, float[] dst) {
        int panels = (m + height - 1) / height;
        int d = 0;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            for (int panel = 0; panel < panels; panel++) {
                int rows = Math.min(height, m - panel * height);
                int src = aOff + panel * height * lda + p0;
                for (int p = 0; p < kc; p++, src++) {
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[src + r * lda];
                    }
                    java.util.Arrays.fill(dst, d + rows, d + height, 0f);
                    d += height;
                }
            }
        }
    }

    /** Where panel {@code panel}'s slice of the KC block at {@code p0} begins in a matrix packed by {@link #pack}. */
    static int panelOffset(int m, int k, int height, int panel, int p0) {
        int panels = (m + height - 1) / height;
        return p0 * panels * height + panel * Math.min(KC, k - p0) * height;
    }

    /**
     * Whether {@code columns} output columns make few enough panels that a pass over K walks row panels outside
     * column panels (see {@link #multiplyRows}); convolutions then make such an output one chunk.
     */
    static boolean fewColumns(int columns) {
        return columns <= ROWS_OUTER_PANELS * NR;
    }

    /**
     * Where part {@code part} of {@code parts} of {@code columns} output columns starts when threads share them out
     * (part {@code parts}: {@code columns}): at a whole column panel, the panels dealt out as evenly as they go (any two
     * parts differ by at most one panel). Cutting at a fixed width rounded up to whole panels instead left a short
     * last part: 784 columns in 4 parts were 224, 224, 224 and 112 wide, so one thread ran 7 panels more than the
     * other (12 % of a 2-thread split); 400 columns were 128, 128, 128 and 16.
     */
    static int panelCut(int columns, int parts, int part) {
        int panels = (columns + NR - 1) / NR;
        return Math.min(columns, (int) ((long) panels * part / parts) * NR);
    }

    /** The packed matrix, for kernels that drive {@link #kernel} themselves (see {@link #blockOffset}). */
    float[] packed() {
        return packed;
    }

    /** Where panel {@code panel}'s slice of the KC block starting at {@code p0} begins in {@link #packed()}. */
    int blockOffset(int panel, int p0) {
        return panelOffset(m, k, MR, panel, p0);
    }

    /** Floats of per-thread workspace enough for any {@link #multiply}: the narrow panel's copy and a packed block of B. */
    public static int workspaceSize() {
        return PACK_AT + BLOCK_PANELS * (KC * NR + PACK_SKEW);
    }

    /**
     * Floats of per-thread workspace enough for products of this matrix with up to {@code columns} columns: the
     * narrow panel's copy and a packed block of B as deep as this matrix's K blocks (a smaller workspace only turns
     * the packing off).
     */
    public int workspaceSize(int columns) {
        return PACK_AT + Math.min(BLOCK_PANELS, columns / NR) * (Math.min(k, KC) * NR + PACK_SKEW);
    }

    public int rows() {
        return m;
    }

    public int depth() {
        return k;
    }

    /**
     * Columns [0, n) of {@code C = A·B}: B is {@code k×n} at {@code b[bOff]} with leading dimension {@code ldb}, C is
     * {@code m×n} at {@code c[cOff]} with {@code ldc}. Each finished row of C then gets {@code post} for
     * channel {@code channelBase + row}, with the residual (if any) read at the same offsets as C. {@code ws} holds
     * {@link #workspaceSize()} floats.
     */
    public void multiply(int n, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, PostOps post,
                         int channelBase, float[] residual, float[] ws) {
        multiplyRows(0, m, n, b, bOff, ldb, c, cOff, ldc, post, channelBase, residual, ws);
    }

    /** As {@link #multiply}, with the post-ops in the generated kernel's registers when {@code fused} is set. */
    public void multiply(int n, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, PostOps post,
                         MicroKernel.Fused fused, int channelBase, float[] ws) {
        multiplyRows(0, m, n, b, bOff, ldb, c, cOff, ldc, post, fused, channelBase, null, ws);
    }

    /** The micro-kernel this product runs. */
    public MicroKernel micro() {
        return micro;
    }

    /**
     * As {@link #multiplyRows(int, int, int, float[], int, int, float[], int, int, PostOps, int, float[], float[])},
     * with {@code fused} ({@link MicroKernel#fuse} of {@code post}, or {@code null}) applying the post-ops in the
     * generated kernel's registers before its single store.
     */
    void multiplyRows(int rowStart, int rowEnd, int n, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                      PostOps post, MicroKernel.Fused fused, int channelBase, float[] residual, float[] ws) {
        if (!micro.isJit() || k == 0 || n == 0) {
            multiplyRows(rowStart, rowEnd, n, b, bOff, ldb, c, cOff, ldc, post, channelBase, residual, ws);
            return;
        }
        int firstPanel = rowStart / MR;
        int rowLimit = Math.min(rowEnd, m);
        int endPanel = (rowLimit + MR - 1) / MR;
        if (firstPanel >= endPanel) {
            return;
        }
        boolean masks = micro.masksTails();
        boolean integer = post.integerSums();
        // Register tiles of `ppt` consecutive panels (MicroKernel.tilePanels): tileRows rows each, the last one
        // shorter; a tile's rows past MR read the next panel, kc·MR floats on in the packed block.
        int ppt = micro.tilePanels();
        int tileRows = ppt * MR;
        int row0 = firstPanel * MR;
        boolean manyTiles = rowLimit - row0 > tileRows;
        boolean inCache = (long) k * ldb <= IN_CACHE_FLOATS;
        // C beyond L2 (a large output): each tile prefetches the C and residual lines C_AHEAD tiles on. A smaller
        // C may be in L2 still (an arena's buffer the layer before read), where the prefetches could only cost.
        boolean aheadC = ahead && (long) (rowLimit - row0) * n > BEYOND_L2_FLOATS;
        // Blocked as BLIS does: a block of up to BLOCK_PANELS column panels, K block by K block (the block's rows of
        // C stay in L2 between K blocks), and every register tile sweeps all the block's panels along its rows in
        // one call: its slice of A stays in L1, B streams from L1/L2, C is written in runs of the block's width per
        // row, and megabytes of weights (7×7 outputs) stream once. A large B shared by enough rows (1×1
        // convolutions on their input planes) has each K block of the block copied row by row first (runs of up to
        // 2 KB, which the hardware prefetchers follow, instead of 128-byte pieces ldb apart) into consecutive
        // panels (ConvCpuTime 64×56×56→256 1×1: 86–102 → 177–190 GFLOPS). Sweeping down the rows of one column
        // panel instead (as before) made one call per panel and row range: with few rows and a short K (stems,
        // thin layers) the calls cost as much as the tiles (3×320×320→16 3×3/2: 58 → 71 GFLOPS, 16×160×160→16 1×1:
        // 64 → 96).
        for (int j0 = 0; j0 < n; j0 += BLOCK_PANELS * NR) {
            int w = Math.min(BLOCK_PANELS * NR, n - j0);
            int panels = w / NR;
            int tailW = w - panels * NR;
            for (int p = 0; p < k; p += KC) {
                int kc = Math.min(KC, k - p);
                boolean first = p == 0;
                MicroKernel.Fused f = p + kc == k ? fused : null;
                int panelStride = kc * NR + PACK_SKEW;
                boolean pack = panels > 0 && manyTiles && ldb != NR
                        && (rowLimit - row0 >= PACK_ROWS || !inCache && kc > PACK_DEPTH)
                        && ws.length >= PACK_AT + panels * panelStride;
                float[] pb = b;
                int bi = bOff + p * ldb + j0;
                int pldb = ldb;
                int pStep = NR;
                // B read in place from beyond L2 (a 1×1 layer's input planes): each K step of the first row tile
                // also prefetches the B row C_AHEAD panels on (see the field ahead).
                boolean aheadB = ahead && !pack && (long) k * n > BEYOND_L2_FLOATS;
                if (pack) {
                    packBlock(b, bi, ldb, kc, panels, ws, PACK_AT, panelStride);
                    pb = ws;
                    bi = PACK_AT;
                    pldb = NR;
                    pStep = panelStride;
                }
                if (tailW > 0 && !masks) {
                    for (int q = 0; q < kc; q++) {
                        System.arraycopy(b, bOff + (p + q) * ldb + j0 + panels * NR, ws, q * NR, tailW);
                        java.util.Arrays.fill(ws, q * NR + tailW, (q + 1) * NR, 0f);
                    }
                }
                for (int panel = firstPanel; panel < endPanel; panel += ppt) {
                    int mr = micro.lastTileRows(panel * MR, rowLimit);
                    int cc = cOff + panel * MR * ldc + j0;
                    if (panels > 0) {
                        jit(f, false, first, integer, mr, kc, panels, blockOffset(panel, p), 0, pb, bi, pldb, pStep,
                                c, cc, ldc, NR, NR, channelBase + panel * MR, 0, residual, aheadC,
                                aheadB && panel == firstPanel);
                    }
                    if (tailW > 0 && masks) {
                        jit(f, true, first, integer, mr, kc, 1, blockOffset(panel, p), 0, b,
                                bOff + p * ldb + j0 + panels * NR, ldb, 0, c, cc + panels * NR, ldc, 0, tailW,
                                channelBase + panel * MR, 0, residual, false, false);
                    }
                    if (mr > tileRows) {
                        break; // this tile took the last panel's rows too
                    }
                }
                if (tailW > 0 && !masks) {
                    // Through the zero-padded copy of the narrow panel, without post-ops (applied below).
                    for (int panel = firstPanel; panel < endPanel; panel++) {
                        int cc = cOff + panel * MR * ldc + j0 + panels * NR;
                        int mr = Math.min(MR, rowLimit - panel * MR);
                        int tile = KC * NR;
                        for (int r = 0; r < mr && !first; r++) {
                            System.arraycopy(c, cc + r * ldc, ws, tile + r * NR, tailW);
                        }
                        micro.plain(first, integer, mr).run(kc, 1, packed, blockOffset(panel, p), 0, ws, 0, NR, 0,
                                ws, tile, NR, 0, NR, null, 0, null, 0, 0, null, 0, 0);
                        for (int r = 0; r < mr; r++) {
                            System.arraycopy(ws, tile + r * NR, c, cc + r * ldc, tailW);
                        }
                    }
                }
            }
        }
        int full = n / NR * NR;
        for (int i = rowStart; i < rowLimit; i++) {
            if (fused == null) {
                post.apply(c, cOff + i * ldc, n, channelBase + i, residual);
            } else if (full < n && !masks) {
                post.apply(c, cOff + i * ldc + full, n - full, channelBase + i, residual);
            }
        }
    }

    /**
     * Copies {@code kc} rows of {@code panels} NR-column panels of B (rows {@code ldb} apart from {@code b[bi]}) into
     * consecutive panels {@code stride} floats apart at {@code dst[d]}, reading each row of B once from left to right.
     */
    private static void packBlock(float[] b, int bi, int ldb, int kc, int panels, float[] dst, int d, int stride) {
        for (int q = 0; q < kc; q++, bi += ldb) {
            int to = d + q * NR;
            for (int j = 0; j < panels; j++, to += stride) {
                FloatVector.fromArray(S, b, bi + j * NR).intoArray(dst, to);
                FloatVector.fromArray(S, b, bi + j * NR + L).intoArray(dst, to + L);
            }
        }
    }

    /** One generated sweep: with the layer's post-ops when {@code f} is set (the last K block), else plain. */
    private void jit(MicroKernel.Fused f, boolean tail, boolean first, boolean integer, int mr, int kc, int count,
                     int ai, int aStep, float[] b, int bi, int ldb, int bStep, float[] c, int cc, int ldc, int cStep,
                     int width, int channel, int postStep, float[] residual, boolean aheadC, boolean aheadB) {
        int bAhead = aheadB ? GemmKernel.C_AHEAD * bStep : 0;
        if (f == null) {
            var kernel = tail ? micro.masked(first, integer, mr) : micro.plain(first, integer, mr, aheadC, aheadB);
            kernel.run(kc, count, packed, ai, aStep, b, bi, ldb, bStep, c, cc, ldc, cStep, width, null, 0, null, 0,
                    0, null, 0, 0, bAhead);
        } else {
            var kernel = f.kernel(tail, first, mr, aheadC, aheadB);
            kernel.run(kc, count, packed, ai, aStep, b, bi, ldb, bStep, c, cc, ldc, cStep, width, f.scale, channel,
                    f.bias, channel, postStep, residual, f.alpha, f.beta, bAhead, f.slopes, channel);
        }
    }

    /**
     * As {@link #multiply}, for rows [{@code rowStart}, {@code rowEnd}) of C only ({@code rowStart} a multiple of
     * {@link #MR}), so threads can share out the output channels of a layer with few output columns.
     */
    public void multiplyRows(int rowStart, int rowEnd, int n, float[] b, int bOff, int ldb, float[] c, int cOff,
                             int ldc, PostOps post, int channelBase, float[] residual, float[] ws) {
        int firstPanel = rowStart / MR;
        int endPanel = (Math.min(rowEnd, m) + MR - 1) / MR;
        int full = n / NR * NR;
        // Few column panels: each MR×KC slice of A stays in L1 across all of them, so A streams from memory once per
        // call (layers of 7×7 or 14×14 outputs have megabytes of weights and a handful of panels). Many panels: each
        // KC×NR panel of B stays in L1 while A's slices stream past it from L2.
        boolean rowsOuter = fewColumns(n);
        for (int p = 0; p < k; p += KC) {
            int kc = Math.min(KC, k - p);
            boolean first = p == 0;
            if (full < n) {
                // Zero-padded copy of the narrow last panel, so the micro-kernel needs no masks.
                for (int q = 0; q < kc; q++) {
                    System.arraycopy(b, bOff + (p + q) * ldb + full, ws, q * NR, n - full);
                    java.util.Arrays.fill(ws, q * NR + n - full, (q + 1) * NR, 0f);
                }
            }
            if (rowsOuter) {
                for (int panel = firstPanel; panel < endPanel; panel++) {
                    for (int j = 0; j < n; j += NR) {
                        tile(panel, j, p, kc, first, post.integerSums(), n, b, bOff, ldb, c, cOff, ldc, ws);
                    }
                }
            } else {
                for (int j = 0; j < n; j += NR) {
                    for (int panel = firstPanel; panel < endPanel; panel++) {
                        tile(panel, j, p, kc, first, post.integerSums(), n, b, bOff, ldb, c, cOff, ldc, ws);
                    }
                }
            }
        }
        // Post-ops over whole rows once the product is done: per MR×NR tile, their per-row set-up costs as much as
        // the tile's FMAs when K is small (1×1 convolutions of 64 channels), and the rows are still in L2.
        for (int i = rowStart; i < Math.min(rowEnd, m); i++) {
            if (k == 0) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            post.apply(c, cOff + i * ldc, n, channelBase + i, residual);
        }
    }

    /** One MR×NR tile of C over the KC block at {@code p}; the narrow last panel goes through {@code ws}. */
    private void tile(int panel, int j, int p, int kc, boolean first, boolean integerSums, int n, float[] b, int bOff,
                      int ldb, float[] c, int cOff, int ldc, float[] ws) {
        int i = panel * MR;
        int mr = Math.min(MR, m - i);
        int cc = cOff + i * ldc + j;
        int ai = blockOffset(panel, p);
        int nr = Math.min(NR, n - j);
        if (nr == NR) {
            kernel(kc, packed, ai, b, bOff + p * ldb + j, ldb, c, cc, ldc, mr, first, integerSums);
            return;
        }
        int tile = KC * NR;
        for (int r = 0; r < mr && !first; r++) {
            System.arraycopy(c, cc + r * ldc, ws, tile + r * NR, nr);
        }
        kernel(kc, packed, ai, ws, 0, NR, ws, tile, NR, mr, first, integerSums);
        for (int r = 0; r < mr; r++) {
            System.arraycopy(ws, tile + r * NR, c, cc + r * ldc, nr);
        }
    }

    /** The micro-kernel on float sums (see the overload below). */
    static void kernel(int kc, float[] pa, int ai, float[] b, int bi, int ldb, float[] c, int cc, int ldc, int mr,
                       boolean first) {
        kernel(kc, pa, ai, b, bi, ldb, c, cc, ldc, mr, first, false);
    }

    /**
     * The register-blocked micro-kernel shared by every GEMM here: one MR×NR tile of C over kc steps of K, A packed
     * MR values per step, B rows {@code ldb} apart (NR for a packed panel); added to C unless {@code first}; rows at
     * or past {@code mr} are left alone.
     * <p>
     * With {@code integerSums}, A and B hold integer codes (INT8 layers) and C holds int32 sums as raw bits: the
     * tile's products over these kc ≤ {@link #KC} steps are summed in float from zero (at most 256·255·128 &lt; 2^24,
     * so exactly), then converted and added to C in int32. Sums over any K stay exact at the cost of one conversion per
     * accumulator and call; {@link PostOps#integerSums()} turns the bits back into floats.
     */
    static void kernel(int kc, float[] pa, int ai, float[] b, int bi, int ldb, float[] c, int cc, int ldc, int mr,
                       boolean first, boolean integerSums) {
        boolean zero = first || integerSums;
        // Each accumulator loaded here, not by a helper returning it: a vector returned from a call C2 does not
        // inline (this method is large, and whether a call in it inlines depends on the profile) is boxed.
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = zero ? z : FloatVector.fromArray(S, c, cc);
        FloatVector c01 = zero ? z : FloatVector.fromArray(S, c, cc + L);
        FloatVector c10 = zero || mr <= 1 ? z : FloatVector.fromArray(S, c, cc + ldc);
        FloatVector c11 = zero || mr <= 1 ? z : FloatVector.fromArray(S, c, cc + ldc + L);
        FloatVector c20 = zero || mr <= 2 ? z : FloatVector.fromArray(S, c, cc + 2 * ldc);
        FloatVector c21 = zero || mr <= 2 ? z : FloatVector.fromArray(S, c, cc + 2 * ldc + L);
        FloatVector c30 = zero || mr <= 3 ? z : FloatVector.fromArray(S, c, cc + 3 * ldc);
        FloatVector c31 = zero || mr <= 3 ? z : FloatVector.fromArray(S, c, cc + 3 * ldc + L);
        FloatVector c40 = zero || mr <= 4 ? z : FloatVector.fromArray(S, c, cc + 4 * ldc);
        FloatVector c41 = zero || mr <= 4 ? z : FloatVector.fromArray(S, c, cc + 4 * ldc + L);
        FloatVector c50 = zero || mr <= 5 ? z : FloatVector.fromArray(S, c, cc + 5 * ldc);
        FloatVector c51 = zero || mr <= 5 ? z : FloatVector.fromArray(S, c, cc + 5 * ldc + L);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, pa[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            ai += MR;
            bi += ldb;
        }
        // Written out rather than in helpers taking or returning vectors: C2 does not inline them into this large
        // method, and every such call boxes its vectors.
        if (integerSums && first) {
            ((IntVector) c00.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc);
            ((IntVector) c01.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + L);
            if (mr > 1) {
                ((IntVector) c10.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + ldc);
                ((IntVector) c11.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + ldc + L);
            }
            if (mr > 2) {
                ((IntVector) c20.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 2 * ldc);
                ((IntVector) c21.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 2 * ldc + L);
            }
            if (mr > 3) {
                ((IntVector) c30.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 3 * ldc);
                ((IntVector) c31.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 3 * ldc + L);
            }
            if (mr > 4) {
                ((IntVector) c40.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 4 * ldc);
                ((IntVector) c41.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 4 * ldc + L);
            }
            if (mr > 5) {
                ((IntVector) c50.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 5 * ldc);
                ((IntVector) c51.convert(F2I, 0)).reinterpretAsFloats().intoArray(c, cc + 5 * ldc + L);
            }
            return;
        }
        if (integerSums) {
            ((IntVector) c00.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc).reinterpretAsInts())
                    .reinterpretAsFloats().intoArray(c, cc);
            ((IntVector) c01.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + L).reinterpretAsInts())
                    .reinterpretAsFloats().intoArray(c, cc + L);
            if (mr > 1) {
                ((IntVector) c10.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + ldc).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + ldc);
                ((IntVector) c11.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + ldc + L).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + ldc + L);
            }
            if (mr > 2) {
                ((IntVector) c20.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 2 * ldc).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 2 * ldc);
                ((IntVector) c21.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 2 * ldc + L).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 2 * ldc + L);
            }
            if (mr > 3) {
                ((IntVector) c30.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 3 * ldc).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 3 * ldc);
                ((IntVector) c31.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 3 * ldc + L).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 3 * ldc + L);
            }
            if (mr > 4) {
                ((IntVector) c40.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 4 * ldc).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 4 * ldc);
                ((IntVector) c41.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 4 * ldc + L).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 4 * ldc + L);
            }
            if (mr > 5) {
                ((IntVector) c50.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 5 * ldc).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 5 * ldc);
                ((IntVector) c51.convert(F2I, 0)).add(FloatVector.fromArray(S, c, cc + 5 * ldc + L).reinterpretAsInts())
                        .reinterpretAsFloats().intoArray(c, cc + 5 * ldc + L);
            }
            return;
        }
        c00.intoArray(c, cc);
        c01.intoArray(c, cc + L);
        if (mr > 1) {
            c10.intoArray(c, cc + ldc);
            c11.intoArray(c, cc + ldc + L);
        }
        if (mr > 2) {
            c20.intoArray(c, cc + 2 * ldc);
            c21.intoArray(c, cc + 2 * ldc + L);
        }
        if (mr > 3) {
            c30.intoArray(c, cc + 3 * ldc);
            c31.intoArray(c, cc + 3 * ldc + L);
        }
        if (mr > 4) {
            c40.intoArray(c, cc + 4 * ldc);
            c41.intoArray(c, cc + 4 * ldc + L);
        }
        if (mr > 5) {
            c50.intoArray(c, cc + 5 * ldc);
            c51.intoArray(c, cc + 5 * ldc + L);
        }
    }
}
