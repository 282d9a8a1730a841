package dev.infero.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2 output tile is
 * {@code Aᵀ [Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)] A} for the tile's 4×4 input patch {@code d_c} of each input channel, so
 * the 36 multiplies per tile and channel pair of the direct convolution become 16 (2.25× fewer), at the cost of the
 * input and output transforms (additions only). Over all channels, the 16 element-wise products are 16 matrix
 * products {@code M_ξ[Cout × tiles] = U_ξ[Cout × Cin] · V_ξ[Cin × tiles]}, one per position ξ of the 4×4 transformed
 * tile: the weights {@code U = G g Gᵀ} are transformed once, here, into 16 {@link PackedGemm}s, and the products run
 * on the same micro-kernels as every other convolution (generated code or the Vector API).
 * <p>
 * Per call, the tiles (raster order over the output, edge tiles cropped, any padding read as zeros) are cut into
 * blocks small enough that a block's transformed input V and products M stay in L2 (see {@link #BLOCK_FLOATS}); a
 * block is one item of the thread split: its input transform (channel by channel, each input row the block reads
 * copied zero-padded and multiplied by B along the row once, for both tile rows that share it, then Bᵀ down the
 * columns; tiles in the vector lanes, their even and odd columns picked with {@code selectFrom}), the 16 products, and
 * the output transform {@code Aᵀ m A} interleaved straight into the NCHW output rows, each finished row piece then
 * getting the layer's post-ops (scale, bias, residual, activation, codes) in Java while it is in L1.
 * <p>
 * F(2×2, 3×3) rather than F(4×4, 3×3): its transforms have coefficients 0, ±1 (and ½ in G, exact), so the rounding
 * error grows little over the direct sum (see {@code WinogradConvTest}); F(4×4) needs ±2, ±4, ±8 and ¼ factors whose
 * error grows by about an order of magnitude in published measurements (not tried here).
 */
final class WinogradConv extends TiledConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane indexes into two concatenated vectors: their even elements, and their odd ones. */
    private static final FloatVector EVEN = lanes(0);
    private static final FloatVector ODD = lanes(1);
    /** Lane indexes that interleave two vectors (even, odd): the first half of the pairs, and the second. */
    private static final FloatVector FIRST_HALF = interleaving(0);
    private static final FloatVector SECOND_HALF = interleaving(L);
    /** Positions of a transformed 4×4 tile: one product per position. */
    static final int POSITIONS = 16;
    /**
     * A block's V and M together, in floats (256 KB; at least one column panel of tiles, so up to 1 MB for 512
     * channels): they stay in L2 (2 MB per core) next to the weights' panels the products stream. 1 MB blocks measured
     * as fast on a quiet machine and up to 25 % slower on a loaded one (128×28×28→128: 1.48 against 1.16 ms).
     */
    private static final int BLOCK_FLOATS = 64 * 1024;
    /** Most tiles per block: the GEMM's column block (16 panels). */
    private static final int MAX_BLOCK = 512;
    /** Floats between a row of V or M and the next beyond the block's width: rows do not map to the same L1 sets. */
    private static final int SKEW = Math.max(16, L);

    private final PackedGemm[] u;
    private final int tilesH;
    private final int tilesW;
    private final int tiles;
    /** Tiles per block at most (a multiple of NR unless the whole output is fewer tiles). */
    private final int maxBlock;
    /** Row stride of V and M. */
    private final int ld;
    /**
     * Floats from one position's matrix of V (and of M) to the next: the transforms read or write the 16 at once, so
     * they are spread over the L1 sets (a multiple of 4 KB would put all 16 in one set: 64 channels × 144 floats).
     */
    private final int vStride;
    private final int mStride;
    /** Length of one even or odd column row of the input transform, and of one staged output row half. */
    private final int rowLen;
    /** A zero-padded input row: every tile's four columns inside it (see {@link #padRow}). */
    private final int paddedW;
    /** Input rows one block reads at most. */
    private final int maxRowsRead;

    /**
     * Whether the layer is one this strategy computes: 3×3, stride 1, no dilation, one group, float sums (INT8
     * layers multiply codes, whose sums must stay exact).
     */
    static boolean fits(ConvGeometry g, PostOps post) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 && g.groups() == 1 && !post.integerSums();
    }

    /**
     * Whether {@link ConvKernel} takes this strategy for the layer: it {@link #fits}, and {@code -Dinfero.cpu.winograd}
     * is {@code on} and the cost rule says it pays, or {@code force} (wherever it fits, for measurements), or unset
     * and the rule says it pays and the products run on the Vector API kernel (the JIT off, or a machine without
     * it); {@code off} never. By default only there, because only there whole models measured faster with it (one
     * thread, median thread CPU time, Winograd off and on alternating in one JVM, 2026-12-07 10:19–10:23, load
     * 11–17: light ResNet-50 71.06 → 70.30 ms, own ResNet-18-like 30.35 → 29.73, own VGG-like 31.84 → 30.39;
     * YOLOX-nano has no layer it takes), while with the generated AVX-512 tiles light ResNet-50 still ran 1 %
     * slower (51.18 → 51.71 ms): the direct strategies reach ~190 GFLOPS there, and the transforms (a quarter of a
     * Winograd layer's time) and U arriving cold from L3 take back what the 16 products save.
     */
    static boolean suits(ConvGeometry g, PostOps post, MicroKernel micro) {
        String mode = System.getProperty("infero.cpu.winograd", "auto");
        if (mode.equals("off") || !fits(g, post)) {
            return false;
        }
        if (mode.equals("force")) {
            return true;
        }
        if (!mode.equals("on") && !mode.equals("auto")) {
            throw new IllegalArgumentException("-Dinfero.cpu.winograd=" + mode + ": expected off, on, force or auto (the default)");
        }
        return (mode.equals("on") || !micro.isJit()) && pays(g);
    }

    /**
     * The cost rule, calibrated on the generated AVX-512 GEMM tiles (1 thread, {@code ConvCpuTime} against the
     * strategy chosen otherwise, on a quiet and on a loaded machine; see docs/performance.md, "Winograd F(2×2,
     * 3×3)"), where Winograd gains least: the 16 products do 4/9 of the direct multiplies at about the same
     * efficiency, so what decides is what the transforms add per product flop, which grows as
     * {@code (Cin + Cout) / (Cin · Cout)} (each input value is transformed once for Cout outputs, each output once
     * for Cin inputs) over the share of vector lanes a tile row fills ({@code tilesW / roundUp(tilesW, L)}: 7 tiles
     * of a 14×14 output fill 7 of 16). At most {@link #MAX_TRANSFORM_SHARE} won by 10–35 % in both runs (128×28×28,
     * 128×40×40, 128×56×56, 256×14×14, 256×28×28, 512×14×14); layers of 48–64 channels (share 0.03–0.05) won by
     * 4–22 % on the quieter machine and lost by 5–50 % under load, so they stay on the direct strategies. Enough
     * tiles besides ({@link #MIN_TILES}): few tiles make few, narrow products per block that stream all of U
     * (16·Cin·Cout floats, 16/9 of the weights) for little work (64×20×20, 100 tiles: 0.154 → 0.164 ms; 512×7×7, 16
     * tiles and 16 MB of U: 1.43 → 2.36 ms). Deep 14×14 layers (256×14×14→256, 49 tiles) won alone (1.30 → 1.04 ms)
     * but lost inside whole models on every kernel, where their 4 MB of U come from L3 each time: light ResNet-50's
     * five, one thread, median per layer in alternating rounds (JitCpuTime {@code -Dlayers=true}, 2026-12-07 09:51–
     * 10:13): 1.23 → 1.60–1.69 ms with AVX-512 tiles, 2.20 → 2.33–2.36 with AVX2, 1.67 → 1.91–1.94 with the Vector
     * API kernel; so the rule no longer excepts them. With AVX2 tiles Winograd won on every layer measured alone,
     * with the Vector API kernel (JIT off) by 1.5×, so the same rule holds there.
     */
    static boolean pays(ConvGeometry g) {
        int cin = g.inChannels();
        int cout = g.outChannels();
        int tilesW = (g.outW() + 1) / 2;
        int tiles = tilesW * ((g.outH() + 1) / 2);
        double lanes = (double) tilesW / ((tilesW + L - 1) / L * L);
        double share = (double) (cin + cout) / ((double) cin * cout) / lanes;
        return share <= MAX_TRANSFORM_SHARE && tiles >= MIN_TILES;
    }

    /** See {@link #pays}. */
    private static final double MAX_TRANSFORM_SHARE = 0.0255;
    private static final int MIN_TILES = 128;

    /** @param weights [Cout, Cin, 3, 3] as in the op; {@code micro} runs the 16 products */
    WinogradConv(ConvGeometry geometry, float[] weights, MicroKernel micro) {
        super(geometry, micro);
        int cin = g.inChannels();
        int cout = g.outChannels();
        this.tilesH = (g.outH() + 1) / 2;
        this.tilesW = (g.outW() + 1) / 2;
        this.tiles = tilesH * tilesW;
        float[] transformed = new float[POSITIONS * cout * cin];
        double[] t = new double[12];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int w = (co * cin + ci) * 9;
                // G g (4×3), then (G g) Gᵀ (4×4); G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1].
                for (int j = 0; j < 3; j++) {
                    double g0 = weights[w + j];
                    double g1 = weights[w + 3 + j];
                    double g2 = weights[w + 6 + j];
                    t[j] = g0;
                    t[3 + j] = (g0 + g1 + g2) / 2;
                    t[6 + j] = (g0 - g1 + g2) / 2;
                    t[9 + j] = g2;
                }
                for (int i = 0; i < 4; i++) {
                    double t0 = t[3 * i];
                    double t1 = t[3 * i + 1];
                    double t2 = t[3 * i + 2];
                    int at = (4 * i * cout + co) * cin + ci;
                    int step = cout * cin;
                    transformed[at] = (float) t0;
                    transformed[at + step] = (float) ((t0 + t1 + t2) / 2);
                    transformed[at + 2 * step] = (float) ((t0 - t1 + t2) / 2);
                    transformed[at + 3 * step] = (float) t2;
                }
            }
        }
        this.u = new PackedGemm[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            u[p] = new PackedGemm(cout, cin, transformed, p * cout * cin, cin, micro);
        }
        int byCache = BLOCK_FLOATS / (POSITIONS * (cin + cout)) / PackedGemm.NR * PackedGemm.NR;
        this.maxBlock = Math.min(tiles, Math.clamp(byCache, PackedGemm.NR, MAX_BLOCK));
        this.ld = maxBlock + SKEW;
        this.vStride = spread(cin * ld);
        this.mStride = spread(cout * ld);
        this.rowLen = tilesW + L;
        this.paddedW = 2 * tilesW + 2;
        this.maxRowsRead = 2 * ((maxBlock + tilesW - 2) / tilesW + 1) + 4;
    }

    /** {@code floats} rounded up to 4 KB, plus 256 bytes: 16 such strides fall in 16 different groups of L1 sets. */
    private static int spread(int floats) {
        return (floats + 1023) / 1024 * 1024 + 64;
    }

    private static FloatVector interleaving(int from) {
        float[] index = new float[L];
        for (int k = 0; k < L; k++) {
            int pos = from + k;
            index[k] = pos / 2 + (pos % 2) * L;
        }
        return FloatVector.fromArray(S, index, 0);
    }

    private static FloatVector lanes(int first) {
        float[] index = new float[L];
        for (int i = 0; i < L; i++) {
            index[i] = 2 * i + first;
        }
        return FloatVector.fromArray(S, index, 0);
    }

    /** The input's tiles per block at most, for tests and the cost rule. */
    int maxBlock() {
        return maxBlock;
    }

    /** Post-ops run in Java on each finished row piece of the output transform (never in the tiles' registers). */
    @Override
    Epilogue epilogue(PostOps post) {
        return null;
    }

    @Override
    Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per-request scratch: each thread's V, M, GEMM workspace and transform rows; sized here, once. */
    final class Scratch extends TiledConv.Scratch {
        private final float[][] v;
        private final float[][] m;
        private final float[][] ws;
        private final float[][] rows;
        private final float[][] padded;
        private int block;
        private int blocks;

        Scratch(int threads) {
            super(threads);
            v = new float[threads][POSITIONS * vStride];
            m = new float[threads][POSITIONS * mStride];
            ws = new float[threads][u[0].workspaceSize(maxBlock)];
            rows = new float[threads][maxRowsRead * 4 * rowLen];
            padded = new float[threads][paddedW + 2 * L + 2];
        }

        /** Blocks of tiles: at most {@link #maxBlock}, and at least two per thread where the output allows. */
        @Override
        int split(int threads) {
            int perImage = threads > 1 ? (2 * threads + g.batch() - 1) / g.batch() : 1;
            int wanted = (tiles + perImage - 1) / perImage;
            block = Math.min(maxBlock, Math.max(Math.min(tiles, PackedGemm.NR),
                    (wanted + PackedGemm.NR - 1) / PackedGemm.NR * PackedGemm.NR));
            blocks = (tiles + block - 1) / block;
            return g.batch() * blocks;
        }

        @Override
        void item(int item, int slot) {
            int n = item / blocks;
            int t0 = item % blocks * block;
            int count = Math.min(block, tiles - t0);
            block(in, out, outBase, residual, post, n, t0, count, v[slot], m[slot], ws[slot], rows[slot],
                    padded[slot]);
        }
    }

    /**
     * Tiles [t0, t0 + count) of image n: input transform, the 16 products, output transform with post-ops; output
     * element 0 at {@code out[outBase]} (an in-place Concat input, never with a residual).
     */
    private void block(float[] in, float[] out, int outBase, float[] residual, PostOps post, int n, int t0, int count, float[] v,
                       float[] m, float[] ws, float[] rows, float[] padded) {
        int cin = g.inChannels();
        int cout = g.outChannels();
        int firstRow = t0 / tilesW;
        int lastRow = (t0 + count - 1) / tilesW;
        int inPlane = g.inH() * g.inW();
        // Channel by channel, down its rows (which the hardware prefetchers follow): each input row the block reads
        // padded, then its d·B for the whole tile row, once (tile row ty's rows 2 and 3 are ty + 1's rows 0 and 1).
        int rowsRead = 2 * (lastRow - firstRow) + 4;
        for (int c = 0; c < cin; c++) {
            int plane = (n * cin + c) * inPlane;
            for (int k = 0; k < rowsRead; k++) {
                padRow(in, plane, 2 * firstRow - g.padTop() + k, padded);
                rowTransform(padded, rows, 4 * k * rowLen);
            }
            for (int ty = firstRow; ty <= lastRow; ty++) {
                int txa = ty == firstRow ? t0 % tilesW : 0;
                int txb = ty == lastRow ? (t0 + count - 1) % tilesW + 1 : tilesW;
                int col = ty * tilesW + txa - t0;
                columnTransform(rows, 8 * (ty - firstRow) * rowLen + txa, txb - txa, v, c * ld + col, vStride);
            }
        }
        for (int p = 0; p < POSITIONS; p++) {
            u[p].multiplyRows(0, cout, count, v, p * vStride, ld, m, p * mStride, ld, PostOps.NONE, null, 0, null,
                    ws);
        }
        int outPlane = g.outH() * g.outW();
        for (int co = 0; co < cout; co++) {
            for (int ty = firstRow; ty <= lastRow; ty++) {
                int txa = ty == firstRow ? t0 % tilesW : 0;
                int txb = ty == lastRow ? (t0 + count - 1) % tilesW + 1 : tilesW;
                int col = ty * tilesW + txa - t0;
                int x0 = 2 * txa;
                int width = Math.min(2 * (txb - txa), g.outW() - x0);
                int o0 = outBase + (n * cout + co) * outPlane + 2 * ty * g.outW() + x0;
                int o1 = 2 * ty + 1 < g.outH() ? o0 + g.outW() : -1;
                outputTransform(m, co * ld + col, mStride, txb - txa, rows, out, o0, o1, width);
                post.apply(out, o0, width, co, residual);
                if (o1 >= 0) {
                    post.apply(out, o1, width, co, residual);
                }
            }
        }
    }

    /**
     * Input row {@code y} of the plane at {@code plane}, zero-padded: {@code padded[padLeft + x] = in[y][x]}, zero
     * elsewhere up to {@link #paddedW} (past it the buffer stays zero).
     */
    private void padRow(float[] in, int plane, int y, float[] padded) {
        int inW = g.inW();
        int left = Math.min(g.padLeft(), paddedW);
        int copied = Math.clamp(paddedW - left, 0, inW);
        if (y < 0 || y >= g.inH()) {
            java.util.Arrays.fill(padded, 0, paddedW, 0f);
            return;
        }
        java.util.Arrays.fill(padded, 0, left, 0f);
        System.arraycopy(in, plane + y * inW, padded, left, copied);
        java.util.Arrays.fill(padded, left + copied, paddedW, 0f);
    }

    /**
     * A padded row times B along the row ({@code d·B}, Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1}) for every
     * tile of the row: tile tx reads {@code padded[2tx .. 2tx + 3]} (d0..d3), and its column j (d0 - d2, d1 + d2,
     * d2 - d1, d1 - d3) goes to {@code rows[at + j·rowLen + tx]}. Whole vectors, the even and odd columns picked by
     * {@code selectFrom}; the lanes past the row's tiles read zeros or other tiles and are never used.
     */
    private void rowTransform(float[] padded, float[] rows, int at) {
        int rl = rowLen;
        for (int t = 0; t < tilesW; t += L) {
            FloatVector a = FloatVector.fromArray(S, padded, 2 * t);
            FloatVector b = FloatVector.fromArray(S, padded, 2 * t + L);
            FloatVector c = FloatVector.fromArray(S, padded, 2 * t + 2);
            FloatVector d = FloatVector.fromArray(S, padded, 2 * t + 2 + L);
            FloatVector d0 = EVEN.selectFrom(a, b);
            FloatVector d1 = ODD.selectFrom(a, b);
            FloatVector d2 = EVEN.selectFrom(c, d);
            FloatVector d3 = ODD.selectFrom(c, d);
            d0.sub(d2).intoArray(rows, at + t);
            d1.add(d2).intoArray(rows, at + rl + t);
            d2.sub(d1).intoArray(rows, at + 2 * rl + t);
            d1.sub(d3).intoArray(rows, at + 3 * rl + t);
        }
    }

    /**
     * Bᵀ along the columns of 4 row-transformed input rows ({@code rows[r0]}, the next 3 each {@code 4·rowLen} on),
     * for {@code count} tiles, one per lane: position ξ of tile i to {@code v[at + ξ·stride + i]}.
     */
    private void columnTransform(float[] rows, int r0, int count, float[] v, int at, int stride) {
        int rl = rowLen;
        int r1 = r0 + 4 * rl;
        int r2 = r1 + 4 * rl;
        int r3 = r2 + 4 * rl;
        // Whole vectors past count too: the extra lanes read stale row values and write columns of later tiles of
        // the block (written again when their row comes) or the SKEW floats past the block.
        for (int i = 0; i < count; i += L) {
            for (int j = 0; j < 4; j++) {
                FloatVector a0 = FloatVector.fromArray(S, rows, r0 + j * rl + i);
                FloatVector a1 = FloatVector.fromArray(S, rows, r1 + j * rl + i);
                FloatVector a2 = FloatVector.fromArray(S, rows, r2 + j * rl + i);
                FloatVector a3 = FloatVector.fromArray(S, rows, r3 + j * rl + i);
                a0.sub(a2).intoArray(v, at + j * stride + i);
                a1.add(a2).intoArray(v, at + (4 + j) * stride + i);
                a2.sub(a1).intoArray(v, at + (8 + j) * stride + i);
                a1.sub(a3).intoArray(v, at + (12 + j) * stride + i);
            }
        }
    }

    /**
     * {@code Aᵀ m A} of {@code count} tiles, one per lane, position ξ of tile i read at {@code m[at + ξ·stride + i]}
     * (Aᵀ = [1 1 1 0; 0 1 -1 -1]); its 2×2 outputs to the output rows at {@code out[o0]} and {@code out[o1]} (none
     * when -1: the tile row crosses the output's bottom), {@code width} columns (the last tile may be cropped);
     * {@code rows} stages the last vector.
     */
    private void outputTransform(float[] m, int at, int stride, int count, float[] rows, float[] out, int o0, int o1,
                                 int width) {
        int rl = rowLen;
        int staged = count;
        // Whole vectors: interleaved straight into the output rows while all their columns are inside the row's
        // width, else staged (the extra lanes never written out) and interleaved one by one below.
        for (int i = 0; i < count; i += L) {
            // Per row r of m: b_r0 = m_r0 + m_r1 + m_r2, b_r1 = m_r1 - m_r2 - m_r3.
            FloatVector m1 = FloatVector.fromArray(S, m, at + stride + i);
            FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * stride + i);
            FloatVector b00 = FloatVector.fromArray(S, m, at + i).add(m1).add(m2);
            FloatVector b01 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 3 * stride + i));
            m1 = FloatVector.fromArray(S, m, at + 5 * stride + i);
            m2 = FloatVector.fromArray(S, m, at + 6 * stride + i);
            FloatVector b10 = FloatVector.fromArray(S, m, at + 4 * stride + i).add(m1).add(m2);
            FloatVector b11 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 7 * stride + i));
            m1 = FloatVector.fromArray(S, m, at + 9 * stride + i);
            m2 = FloatVector.fromArray(S, m, at + 10 * stride + i);
            FloatVector b20 = FloatVector.fromArray(S, m, at + 8 * stride + i).add(m1).add(m2);
            FloatVector b21 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 11 * stride + i));
            m1 = FloatVector.fromArray(S, m, at + 13 * stride + i);
            m2 = FloatVector.fromArray(S, m, at + 14 * stride + i);
            FloatVector b31 = m1.sub(m2).sub(FloatVector.fromArray(S, m, at + 15 * stride + i));
            FloatVector y00 = b00.add(b10).add(b20);
            FloatVector y01 = b01.add(b11).add(b21);
            FloatVector y10 = b10.sub(b20).sub(FloatVector.fromArray(S, m, at + 12 * stride + i).add(m1).add(m2));
            FloatVector y11 = b11.sub(b21).sub(b31);
            if (2 * i + 2 * L <= width) {
                FIRST_HALF.selectFrom(y00, y01).intoArray(out, o0 + 2 * i);
                SECOND_HALF.selectFrom(y00, y01).intoArray(out, o0 + 2 * i + L);
                if (o1 >= 0) {
                    FIRST_HALF.selectFrom(y10, y11).intoArray(out, o1 + 2 * i);
                    SECOND_HALF.selectFrom(y10, y11).intoArray(out, o1 + 2 * i + L);
                }
            } else {
                staged = Math.min(staged, i);
                y00.intoArray(rows, i);
                y01.intoArray(rows, rl + i);
                y10.intoArray(rows, 2 * rl + i);
                y11.intoArray(rows, 3 * rl + i);
            }
        }
        if (2 * staged < width) {
            interleave(rows, staged, rl, out, o0 + 2 * staged, width - 2 * staged);
            if (o1 >= 0) {
                interleave(rows, 2 * rl + staged, rl, out, o1 + 2 * staged, width - 2 * staged);
            }
        }
    }

    /** {@code width} outputs of one row: even columns from {@code rows[at..]}, odd ones {@code rl} on. */
    private static void interleave(float[] rows, int at, int rl, float[] out, int o, int width) {
        int pairs = width / 2;
        for (int i = 0; i < pairs; i++) {
            out[o + 2 * i] = rows[at + i];
            out[o + 2 * i + 1] = rows[at + rl + i];
        }
        if (width % 2 == 1) {
            out[o + width - 1] = rows[at + pairs];
        }
    }
}
