package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Vec;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A generated FP32 GEMM micro-kernel sweep: {@code count} register tiles of {@code C[mr × nr] (+)= A·B}, A packed
 * in panels of {@link Key#panelRows} values per step of K (the layout of {@code PackedGemm.pack}), B rows
 * {@code ldb} apart, each tile {@code aStep}, {@code bStep} and {@code cStep} elements after the previous one, so one
 * call sweeps a row panel across its column panels or a column panel down its row panels. The tile stays in
 * registers over all {@code kc} steps (broadcast-FMA: each A value broadcast once into a register for the row's
 * vectors, or inside the AVX-512 FMA when a row is one vector; an AVX2 tile wider than 16 floats runs in 16-column
 * groups), then gets its post-ops in registers — per-row scale and bias, residual add at C's offsets, ReLU, clamp, or
 * sigmoid, swish and ELU through the generated {@code exp} of {@link VectorExp} — and is stored once. AVX-512 tiles
 * narrower than {@code nr} (the last column panel) load and store under opmasks. AVX-512 tiles may span two or three
 * consecutive A panels ({@code mr} up to {@code 3 · panelRows} as far as the registers hold the tile; each panel
 * {@code kc · panelRows} floats after the previous one); segmented tiles two.
 *
 * <p>{@link Key#prefetchB}: each K step also prefetches into L2 the B row a per-call distance ahead (the next weight
 * panel of a channel-lane sweep).
 *
 * <p>{@link Mode#INT_FIRST} / {@link Mode#INT_ACCUMULATE}: A and B hold integer codes and C int32 sums as raw bits
 * (INT8 layers): the tile's float sums (exact below 2^24) are converted and stored, or added to C in int32.
 */
public final class GemmKernel extends JitKernel {
    /** How the tile starts and ends. */
    public enum Mode {
        /** C = A·B (then post-ops). */
        FIRST,
        /** C += A·B (then post-ops). */
        ACCUMULATE,
        /** C = int32(A·B). */
        INT_FIRST,
        /** C = C + int32(A·B), in int32. */
        INT_ACCUMULATE
    }

    /** Activations applied in registers (alpha: clamp's min, swish's beta, ELU's alpha; beta: clamp's max). */
    public enum Activation {
        NONE, RELU, CLAMP,
        /** {@code 1 / (exp(-v) + 1)}. */
        SIGMOID,
        /** {@code v · 1 / (exp(-alpha · v) + 1)}. */
        SWISH,
        /** {@code v < 0 ? alpha · (exp(v) - 1) : v}. */
        ELU,
        /** {@code v < 0 ? alpha · v : v}. */
        LEAKY_RELU,
        /** {@code v · clamp(v + 3, 0, 6) · (1/6)}. */
        HSWISH,
        /**
         * {@code v < 0 ? slope · v : v} with one slope per output channel (per row, or per column when
         * {@link Key#byColumn}), read like scale and bias from the call's slopes at {@code slopeOff}.
         */
        PRELU;

        boolean usesExp() {
            return this == SIGMOID || this == SWISH || this == ELU;
        }

        /**
         * Applied per row after the affine part and residual of all its vectors, in the four registers past the
         * accumulators (see generate), rather than inline with one or two.
         */
        boolean rowWise() {
            return usesExp() || this == LEAKY_RELU || this == HSWISH || this == PRELU;
        }
    }

    /**
     * Everything the code depends on.
     *
     * @param panelRows rows per packed A panel (the step of A per K step)
     * @param mr        rows computed and stored, ≤ panelRows
     * @param nr        columns per tile
     * @param masked    whether B, C and the residual are read and written under per-call opmasks (AVX-512 only)
     * @param segmented whether each tile sums over the K segments of a {@link Segments} table (each its own A and B
     *                  offset and length) instead of one run of kc steps: the shifted convolution's taps, with the
     *                  tile in registers across all of them (and its post-ops, once, after the last segment)
     * @param byColumn  whether scale and bias are per column of the tile (vectors at {@code scaleOff + column}) rather
     *                  than per row: the transposed product of {@code ChannelLaneConv}, output channels in the lanes
     * @param prefetchB whether each K step also prefetches (into L2) the B row the call's {@code prefetch} bytes
     *                  past the row it loads: the next weight panel of a channel-lane sweep, so the panels streamed
     *                  from L3 arrive while the tiles compute on the current one instead of stalling its first tile
     * @param prefetchC whether each tile first prefetches into L2 the C lines, and the residual lines, of the tile
     *                  {@link #C_AHEAD} tiles on ({@code C_AHEAD · cStep} elements after its own): a sweep along the
     *                  columns of an output beyond L2 (1×1 layers on large planes) then has its stores' and residual's
     *                  lines on the way while the tiles before compute, instead of each tile's stores and post-ops
     *                  waiting for its rows' lines from L3 (into L2, not L1: with planes a multiple of 4 KB apart the
     *                  rows of C map to one L1 set, and lines fetched two tiles early there evict the tile's B)
     */
    public record Key(Jit.Isa isa, int panelRows, int mr, int nr, Mode mode, boolean scale, boolean bias,
                      boolean residual, Activation activation, boolean masked, boolean segmented, boolean byColumn,
                      boolean prefetchB, boolean prefetchC) {
        /** A key for a tile that does not prefetch C. */
        public Key(Jit.Isa isa, int panelRows, int mr, int nr, Mode mode, boolean scale, boolean bias,
                   boolean residual, Activation activation, boolean masked, boolean segmented, boolean byColumn,
                   boolean prefetchB) {
            this(isa, panelRows, mr, nr, mode, scale, bias, residual, activation, masked, segmented, byColumn,
                    prefetchB, false);
        }

        /** A key for a tile that does not prefetch B. */
        public Key(Jit.Isa isa, int panelRows, int mr, int nr, Mode mode, boolean scale, boolean bias,
                   boolean residual, Activation activation, boolean masked, boolean segmented, boolean byColumn) {
            this(isa, panelRows, mr, nr, mode, scale, bias, residual, activation, masked, segmented, byColumn, false);
        }

        /** A key for a plain (not segmented) sweep, post-ops per row, no prefetch. */
        public Key(Jit.Isa isa, int panelRows, int mr, int nr, Mode mode, boolean scale, boolean bias,
                   boolean residual, Activation activation, boolean masked) {
            this(isa, panelRows, mr, nr, mode, scale, bias, residual, activation, masked, false, false, false, false);
        }

        public Key {
            if (segmented && (mode != Mode.FIRST || masked || byColumn)) {
                throw new IllegalArgumentException("segmented tiles start from zero, full width, post-ops by row: "
                        + this);
            }
            if (byColumn && masked) {
                throw new IllegalArgumentException("per-column post-ops run full width: " + this);
            }
            if ((prefetchB || prefetchC) && segmented) {
                throw new IllegalArgumentException("segmented tiles do not prefetch: " + this);
            }
            int lanes = Math.min(isa.lanes(), nr);
            // AVX-512: up to three panels, as far as the 32 registers hold the accumulators, the B vectors and the
            // A broadcast (14 × 2 vectors: 28 + 2 + 1), or the four temporaries of the post-ops past the
            // accumulators; segmented tiles up to two.
            int vectors = nr / lanes;
            int maxRows = isa != Jit.Isa.AVX512 ? panelRows
                    : segmented ? 2 * panelRows
                    : Math.min(3 * panelRows, (isa.registers() - vectors - 1) / vectors);
            if (mr < 1 || mr > maxRows || mr * vectors + 4 > isa.registers() && isa == Jit.Isa.AVX512
                    || panelRows > 8 || nr % 8 != 0 || nr % lanes != 0 || nr > 64) {
                throw new IllegalArgumentException("unsupported GEMM tile " + this);
            }
            if (masked && isa != Jit.Isa.AVX512) {
                throw new IllegalArgumentException("masked tiles need AVX-512");
            }
            boolean post = scale || bias || residual || activation != Activation.NONE;
            if (post && (mode == Mode.INT_FIRST || mode == Mode.INT_ACCUMULATE)) {
                throw new IllegalArgumentException("post-ops on int32 sums");
            }
        }

        boolean hasPost() {
            return scale || bias || residual || activation != Activation.NONE;
        }

        /**
         * A panels per tile (AVX-512): 2 when {@code mr > panelRows}, 3 when {@code mr > 2 · panelRows}: rows from
         * {@code panelRows} on come from the next panel, {@code kc · panelRows} elements after the first, rows from
         * {@code 2 · panelRows} on from the one after (the layout of consecutive packed panels).
         */
        public int panels() {
            return (mr + panelRows - 1) / panelRows;
        }
    }

    /**
     * The K segments of a segmented sweep, relative to the tile's A and B: segment s adds
     * {@code Σ_p A[aOff_s + p·panelRows + r] · B[bOff_s + p·ldb + j]} for {@code p < len_s}. Immutable; the extents
     * its segments reach are computed once, so each call checks them in constant time.
     */
    public static final class Segments {
        final long[] table;
        /** {@link #table}'s segment, made once. */
        final MemorySegment tableSegment;
        final int ldb;
        final long aEnd;
        final long bEnd;
        final int count;
        /** Whether each segment also names the second panel's A ({@link Key#panels()} 2). */
        final boolean twoPanels;

        /** Element offsets and lengths per segment, for A panels of {@code panelRows} and B rows {@code ldb} apart. */
        public Segments(int[] aOff, int[] bOff, int[] len, int panelRows, int ldb) {
            this(aOff, null, bOff, len, panelRows, ldb);
        }

        /**
         * As above, for tiles of two A panels: segment s reads the second panel's rows from {@code aSecond[s]} on
         * ({@code null}: one panel).
         */
        public Segments(int[] aOff, int[] aSecond, int[] bOff, int[] len, int panelRows, int ldb) {
            if (aOff.length == 0 || aOff.length != bOff.length || aOff.length != len.length
                    || aSecond != null && aSecond.length != aOff.length) {
                throw new IllegalArgumentException("segments: " + aOff.length + "/" + bOff.length + "/" + len.length);
            }
            this.count = aOff.length;
            this.ldb = ldb;
            this.twoPanels = aSecond != null;
            this.table = new long[1 + 4 * count];
            table[0] = count;
            long aMax = 0;
            long bMax = 0;
            for (int s = 0; s < count; s++) {
                if (aOff[s] < 0 || bOff[s] < 0 || len[s] < 1 || aSecond != null && aSecond[s] < 0) {
                    throw new IllegalArgumentException("segment " + s + ": " + aOff[s] + ", " + bOff[s] + ", " + len[s]);
                }
                table[1 + 4 * s] = 4L * aOff[s];
                table[2 + 4 * s] = 4L * bOff[s];
                table[3 + 4 * s] = len[s];
                table[4 + 4 * s] = aSecond == null ? 0 : 4L * (aSecond[s] - (long) aOff[s]);
                aMax = Math.max(aMax, aOff[s] + (long) len[s] * panelRows);
                if (aSecond != null) {
                    aMax = Math.max(aMax, aSecond[s] + (long) len[s] * panelRows);
                }
                bMax = Math.max(bMax, bOff[s] + (long) (len[s] - 1) * ldb);
            }
            this.aEnd = aMax;
            this.bEnd = bMax;
            this.tableSegment = MemorySegment.ofArray(table);
        }
    }

    /** Tiles ahead whose C (and residual) lines a {@link Key#prefetchC} tile prefetches. */
    public static final int C_AHEAD = 2;
    private static final float[] NONE = new float[0];
    private static final long[] NO_SEGMENTS = new long[1];
    private static final int STACK_ARGS = 21;
    /** The constants table: {@link VectorExp}'s, then 3, 6 and 1/6 for hard swish. */
    private static final int THREE = VectorExp.SIZE, SIX = VectorExp.SIZE + 1, SIXTH = VectorExp.SIZE + 2;
    private static final float[] EXP_CONSTANTS = java.util.Arrays.copyOf(VectorExp.constants(), VectorExp.SIZE + 3);
    /** Segments of the constant arrays, made once ({@link HeapSegments}). */
    private static final MemorySegment NO_SEGMENTS_SEGMENT = MemorySegment.ofArray(NO_SEGMENTS),
            EXP_CONSTANTS_SEGMENT = MemorySegment.ofArray(EXP_CONSTANTS);

    static {
        EXP_CONSTANTS[THREE] = 3f;
        EXP_CONSTANTS[SIX] = 6f;
        EXP_CONSTANTS[SIXTH] = 1f / 6f;
    }
    private static final MethodHandle CALL;

    static {
        MemoryLayout[] args = new MemoryLayout[6 + STACK_ARGS];
        for (int i = 0; i < args.length; i++) {
            // Stack arguments 16, 17 and 19 (SEGMENTS, EXP_TABLE, SLOPES) are addresses, 18 and 20 (PREFETCH,
            // SLOPE_OFF) longs.
            args[i] = i < 6 || i == 6 + GemmKernel.SEGMENTS || i == 6 + GemmKernel.EXP_TABLE
                    || i == 6 + GemmKernel.SLOPES ? ValueLayout.ADDRESS : ValueLayout.JAVA_LONG;
        }
        CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(args), Linker.Option.critical(true));
    }

    private final Key key;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public GemmKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
    }

    public Key key() {
        return key;
    }

    /**
     * Runs {@code count} tiles. Offsets and steps are in elements; {@code width} is the columns computed per tile
     * ({@code nr} unless the key is masked). {@code scale}, {@code bias}: per-row values, row r of tile t at
     * {@code scaleOff + t·postStep + r}; {@code residual} is read at C's offsets. Every extent is checked before the
     * call ({@link IndexOutOfBoundsException} otherwise).
     */
    public void run(int kc, int count, float[] a, int aOff, int aStep, float[] b, int bOff, int ldb, int bStep,
                    float[] c, int cOff, int ldc, int cStep, int width, float[] scale, int scaleOff, float[] bias,
                    int biasOff, int postStep, float[] residual, float alpha, float beta) {
        run(kc, count, a, aOff, aStep, b, bOff, ldb, bStep, c, cOff, ldc, cStep, width, scale, scaleOff, bias, biasOff,
                postStep, residual, alpha, beta, 0);
    }

    /**
     * As above; a {@link Key#prefetchB} kernel prefetches, at each K step, the B row {@code prefetch} floats past the
     * one it loads (a hint: prefetches never fault, so any distance is safe).
     */
    public void run(int kc, int count, float[] a, int aOff, int aStep, float[] b, int bOff, int ldb, int bStep,
                    float[] c, int cOff, int ldc, int cStep, int width, float[] scale, int scaleOff, float[] bias,
                    int biasOff, int postStep, float[] residual, float alpha, float beta, int prefetch) {
        run(kc, count, a, aOff, aStep, b, bOff, ldb, bStep, c, cOff, ldc, cStep, width, scale, scaleOff, bias, biasOff,
                postStep, residual, alpha, beta, prefetch, null, 0);
    }

    /**
     * As above, with {@link Activation#PRELU}'s slopes read like scale and bias: row r (column j when
     * {@link Key#byColumn}) of tile t at {@code slopeOff + t·postStep + r} (+ j); ignored for other activations.
     */
    public void run(int kc, int count, float[] a, int aOff, int aStep, float[] b, int bOff, int ldb, int bStep,
                    float[] c, int cOff, int ldc, int cStep, int width, float[] scale, int scaleOff, float[] bias,
                    int biasOff, int postStep, float[] residual, float alpha, float beta, int prefetch,
                    float[] slopes, int slopeOff) {
        if (key.segmented) {
            throw new IllegalStateException("a segmented kernel runs with runSegmented");
        }
        int mr = key.mr;
        if (kc < 1 || count < 1 || aStep < 0 || bStep < 0 || cStep < 0 || postStep < 0 || width < 1
                || width > key.nr || (!key.masked && width != key.nr)) {
            throw new IllegalArgumentException("GEMM kernel call: kc " + kc + ", count " + count + ", width " + width
                    + ", steps " + aStep + "/" + bStep + "/" + cStep + "/" + postStep + " for " + key);
        }
        long last = count - 1L;
        checkRange("A", a.length, aOff, aOff + last * aStep + (long) kc * key.panelRows * key.panels());
        checkMatrix("B", b.length, bOff + last * bStep - 0, kc, width, ldb);
        checkRange("B", b.length, bOff, bOff + 1);
        checkMatrix("C", c.length, cOff + last * cStep, mr, width, ldc);
        checkRange("C", c.length, cOff, cOff + 1);
        float[] res = NONE;
        float[] sc = NONE;
        float[] bi = NONE;
        if (key.residual) {
            checkMatrix("residual", residual.length, cOff + last * cStep, mr, width, ldc);
            checkRange("residual", residual.length, cOff, cOff + 1);
            res = residual;
        }
        int perTile = key.byColumn ? key.nr : mr;
        if (key.scale) {
            checkRange("scale", scale.length, scaleOff, scaleOff + last * postStep + perTile);
            sc = scale;
        }
        if (key.bias) {
            checkRange("bias", bias.length, biasOff, biasOff + last * postStep + perTile);
            bi = bias;
        }
        float[] sl = NONE;
        if (key.activation == Activation.PRELU) {
            checkRange("slopes", slopes.length, slopeOff, slopeOff + last * postStep + perTile);
            sl = slopes;
        }
        long mask = width >= 64 ? -1L : (1L << width) - 1;
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(a), s.of(b), s.of(c), s.of(sc), s.of(bi), s.of(res),
                    (long) aOff, (long) bOff, (long) cOff, (long) kc, (long) ldb, (long) ldc, (long) count,
                    (long) aStep, (long) bStep, (long) cStep, (long) scaleOff, (long) biasOff, (long) postStep, mask,
                    (long) Float.floatToRawIntBits(alpha), (long) Float.floatToRawIntBits(beta),
                    NO_SEGMENTS_SEGMENT, EXP_CONSTANTS_SEGMENT, 4L * prefetch, s.of(sl), (long) slopeOff);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code count} segmented tiles (key {@code segmented}), each {@code bStep} and {@code cStep} elements after
     * the previous one along B and C, all on the same A ({@code aOff} plus the segments' offsets); extents checked
     * first. Without post-ops in the key.
     */
    public void runSegmented(Segments segments, int count, float[] a, int aOff, float[] b, int bOff, int ldb,
                             int bStep, float[] c, int cOff, int ldc, int cStep) {
        runSegmented(segments, count, a, aOff, b, bOff, ldb, bStep, c, cOff, ldc, cStep, null, 0, null, 0, null, 0f,
                0f, null, 0);
    }

    /** As below, for activations other than {@link Activation#PRELU}. */
    public void runSegmented(Segments segments, int count, float[] a, int aOff, float[] b, int bOff, int ldb,
                             int bStep, float[] c, int cOff, int ldc, int cStep, float[] scale, int scaleOff,
                             float[] bias, int biasOff, float[] residual, float alpha, float beta) {
        runSegmented(segments, count, a, aOff, b, bOff, ldb, bStep, c, cOff, ldc, cStep, scale, scaleOff, bias,
                biasOff, residual, alpha, beta, null, 0);
    }

    /**
     * As above, with the key's post-ops after the last segment: row r of every tile scaled by {@code scale[scaleOff
     * + r]}, {@code bias[biasOff + r]} added, then {@code residual} read at C's offsets, then the activation
     * ({@code alpha}, {@code beta} as in {@link #run}; {@link Activation#PRELU}: row r's slope
     * {@code slopes[slopeOff + r]}).
     */
    public void runSegmented(Segments segments, int count, float[] a, int aOff, float[] b, int bOff, int ldb,
                             int bStep, float[] c, int cOff, int ldc, int cStep, float[] scale, int scaleOff,
                             float[] bias, int biasOff, float[] residual, float alpha, float beta, float[] slopes,
                             int slopeOff) {
        if (!key.segmented || ldb != segments.ldb || count < 1 || bStep < 0 || cStep < 0 || aOff < 0 || bOff < 0
                || segments.twoPanels != (key.panels() == 2)) {
            throw new IllegalArgumentException("segmented GEMM call: count " + count + ", ldb " + ldb + " (segments "
                    + segments.ldb + "), steps " + bStep + "/" + cStep + " for " + key);
        }
        long last = count - 1L;
        checkRange("A", a.length, aOff, aOff + segments.aEnd);
        checkRange("B", b.length, bOff, bOff + last * bStep + segments.bEnd + key.nr);
        checkMatrix("C", c.length, cOff + last * cStep, key.mr, key.nr, ldc);
        checkRange("C", c.length, cOff, cOff + 1);
        float[] res = NONE;
        float[] sc = NONE;
        float[] bi = NONE;
        if (key.residual) {
            checkMatrix("residual", residual.length, cOff + last * cStep, key.mr, key.nr, ldc);
            checkRange("residual", residual.length, cOff, cOff + 1);
            res = residual;
        }
        if (key.scale) {
            checkRange("scale", scale.length, scaleOff, scaleOff + (long) key.mr);
            sc = scale;
        }
        if (key.bias) {
            checkRange("bias", bias.length, biasOff, biasOff + (long) key.mr);
            bi = bias;
        }
        float[] sl = NONE;
        if (key.activation == Activation.PRELU) {
            checkRange("slopes", slopes.length, slopeOff, slopeOff + (long) key.mr);
            sl = slopes;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(a), s.of(b), s.of(c), s.of(sc), s.of(bi), s.of(res),
                    (long) aOff, (long) bOff, (long) cOff, 1L, (long) ldb, (long) ldc, (long) count, 0L,
                    (long) bStep, (long) cStep, (long) scaleOff, (long) biasOff, 0L, -1L,
                    (long) Float.floatToRawIntBits(alpha), (long) Float.floatToRawIntBits(beta),
                    segments.tableSegment, EXP_CONSTANTS_SEGMENT, 0L, s.of(sl), (long) slopeOff);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    /** Stack argument {@code i} after the six pushes of the prologue. */
    private static Mem arg(int i) {
        return mem(RSP, 56 + 8 * i);
    }

    private static final int A_OFF = 0, B_OFF = 1, C_OFF = 2, KC = 3, LDB = 4, LDC = 5, COUNT = 6, A_STEP = 7,
            B_STEP = 8, C_STEP = 9, SCALE_OFF = 10, BIAS_OFF = 11, POST_STEP = 12, MASK = 13, ALPHA = 14, BETA = 15, SEGMENTS = 16,
            EXP_TABLE = 17, PREFETCH = 18, SLOPES = 19, SLOPE_OFF = 20;

    /**
     * {@code void f(float* a, float* b, float* c, float* scale, float* bias, float* res, long aOff, long bOff,
     * long cOff, long kc, long ldb, long ldc, long count, long aStep, long bStep, long cStep, long scaleOff,
     * long biasOff, long postStep, long mask, long alphaBits, long betaBits, long* segments, float* expTable,
     * long prefetchBytes, float* slopes, long slopeOff)}.
     */
    static byte[] generate(Key key) {
        Jit.Isa isa = key.isa;
        int bits = Math.min(isa.bits(), key.nr * 32);
        int lanes = bits / 32;
        int vb = bits / 8;
        int perRow = key.nr / lanes;
        // AVX2 (16 registers): 2 vectors per row and group, 6 rows: 12 accumulators, 2 for B, 1 for A.
        int groupVectors = isa == Jit.Isa.AVX512 ? perRow : Math.min(perRow, 2);
        if (isa == Jit.Isa.AVX512 && key.mr * groupVectors + groupVectors + 1 > isa.registers()) {
            throw new IllegalArgumentException("tile too large for the registers: " + key);
        }
        int groups = perRow / groupVectors;
        boolean evex = isa == Jit.Isa.AVX512;
        Gp a = RDI, b = RSI, c = RDX, scale = R13, bias = R8, res = R9;
        Gp aCur = RCX, bCur = RAX, k = R10, ldb = R11, ldc = RBX, count = R12, row = RBP, resRow = R14, tmp = R15;
        Assembler as = new Assembler();
        for (Gp r : new Gp[] {RBX, RBP, R12, R13, R14, R15}) {
            as.push(r);
        }
        as.mov(scale, RCX);
        as.offsetFloats(arg(A_OFF), tmp, a);
        as.offsetFloats(arg(B_OFF), tmp, b);
        as.offsetFloats(arg(C_OFF), tmp, c, res);
        as.offsetFloats(arg(SCALE_OFF), tmp, scale);
        as.offsetFloats(arg(BIAS_OFF), tmp, bias);
        if (key.activation == Activation.PRELU) {
            // The slopes pointer stays in its stack slot (no register left), at the tile's first slope.
            as.mov(tmp, arg(SLOPE_OFF));
            as.mov(k, arg(SLOPES));
            as.lea(k, mem(k, tmp, 4, 0));
            as.mov(arg(SLOPES), k);
        }
        as.mov(ldb, arg(LDB));
        as.shl(ldb, 2);
        as.mov(ldc, arg(LDC));
        as.shl(ldc, 2);
        as.mov(count, arg(COUNT));
        for (int s : new int[] {A_STEP, B_STEP, C_STEP, POST_STEP}) {
            as.mov(tmp, arg(s));
            as.shl(tmp, 2);
            as.mov(arg(s), tmp);
        }
        if (key.masked) {
            as.mov(tmp, arg(MASK));
            for (int v = 0; v < perRow; v++) {
                as.kmovw(k(v + 1), tmp);
                as.shr(tmp, lanes);
            }
        }
        // Two or three A panels per tile: the second panel's rows at aCur + kc·panelRows floats (in tmp, free from here
        // on), the third's at twice that (scale 2); segmented tiles (two panels at most) take that distance per segment
        // from the table, into the row register (free until the post-ops: segmented tiles start from zero).
        Gp aNext = key.segmented ? row : tmp;
        if (key.panels() >= 2 && !key.segmented) {
            as.mov(aNext, arg(KC));
            as.imul(aNext, aNext, 4 * key.panelRows);
        }
        Assembler.Label tile = as.newLabel();
        as.align(16);
        as.bind(tile);
        int bReg = key.mr * groupVectors;
        Vec aReg = vec(bReg + groupVectors, bits);
        if (bReg + 4 > isa.registers()) {
            throw new IllegalArgumentException("tile too large for the registers: " + key);
        }
        for (int g = 0; g < groups; g++) {
            int col = g * groupVectors;
            // Accumulators: zero, or C.
            as.lea(row, mem(c, col * vb));
            for (int r = 0; r < key.mr; r++) {
                for (int v = 0; v < groupVectors; v++) {
                    Vec acc = vec(r * groupVectors + v, bits);
                    if (key.mode == Mode.ACCUMULATE) {
                        as.vmovups(key.masked ? acc.k(k(col + v + 1)).z() : acc, mem(row, v * vb));
                    } else {
                        as.vxorps(acc, acc, acc);
                    }
                }
                if (key.mode == Mode.ACCUMULATE && r + 1 < key.mr) {
                    as.add(row, ldc);
                }
            }
            Assembler.Label segment = as.newLabel();
            Gp seg = R14;
            Gp segs = R15;
            if (key.segmented) {
                // Table: count, then (A byte offset, B byte offset, length, second A panel's byte distance) per
                // segment.
                as.mov(seg, arg(SEGMENTS));
                as.mov(segs, mem(seg));
                as.add(seg, 8);
                as.bind(segment);
                as.mov(aCur, a);
                as.add(aCur, mem(seg));
                as.lea(bCur, mem(b, col * vb));
                as.add(bCur, mem(seg, 8));
                as.mov(k, mem(seg, 16));
                if (key.panels() == 2) {
                    as.mov(aNext, mem(seg, 24));
                }
            } else {
                if (key.prefetchC && g == 0) {
                    // The C and residual lines of the tile C_AHEAD on, all its columns, into L2 (k and row are free
                    // until the K loop).
                    as.mov(k, arg(C_STEP));
                    as.imul(k, k, C_AHEAD);
                    for (int pass = 0; pass < (key.residual ? 2 : 1); pass++) {
                        as.lea(row, mem(pass == 0 ? c : res, k, 1, 0));
                        for (int r = 0; r < key.mr; r++) {
                            for (int line = 0; line < perRow * vb; line += 64) {
                                as.prefetcht1(mem(row, line));
                            }
                            if (r + 1 < key.mr) {
                                as.add(row, ldc);
                            }
                        }
                    }
                }
                as.mov(aCur, a);
                as.lea(bCur, mem(b, col * vb));
                as.mov(k, arg(KC));
            }
            // The prefetch distance in resRow, free until the post-ops.
            Gp pf = resRow;
            if (key.prefetchB) {
                as.mov(pf, arg(PREFETCH));
            }
            Assembler.Label loop = as.newLabel();
            as.align(16);
            as.bind(loop);
            for (int v = 0; v < groupVectors; v++) {
                Vec bv = vec(bReg + v, bits);
                as.vmovups(key.masked ? bv.k(k(col + v + 1)).z() : bv, mem(bCur, v * vb));
            }
            for (int line = 0; key.prefetchB && line < groupVectors * vb; line += 64) {
                // Into L2 (prefetcht0 into L1 measured slower: the next panel evicts the current one).
                as.prefetcht1(mem(bCur, pf, 1, line));
            }
            for (int r = 0; r < key.mr; r++) {
                int panel = r / key.panelRows;
                Mem aElem = panel == 0 ? mem(aCur, 4 * r)
                        : mem(aCur, aNext, panel, 4 * (r - panel * key.panelRows));
                // A row feeding several FMAs is broadcast once into a register (one load uop; 12×32 tiles: 14
                // loads per 24 FMAs instead of 26), a single one inside the FMA ({1to16}, AVX-512).
                boolean inFma = evex && groupVectors == 1;
                if (!inFma) {
                    as.vbroadcastss(aReg, aElem);
                }
                for (int v = 0; v < groupVectors; v++) {
                    Vec acc = vec(r * groupVectors + v, bits);
                    as.vfmadd231ps(acc, vec(bReg + v, bits), inFma ? aElem.bcst() : aReg);
                }
            }
            as.add(aCur, 4 * key.panelRows);
            as.add(bCur, ldb);
            as.dec(k);
            as.jcc(Assembler.Cond.NE, loop);
            if (key.segmented) {
                as.add(seg, 32);
                as.dec(segs);
                as.jcc(Assembler.Cond.NE, segment);
            }
            // Post-ops and the single store, row by row; the registers past the accumulators are free now.
            Vec lo = vec(bReg, bits);
            Vec hi = vec(bReg + 1, bits);
            Vec sTmp = vec(bReg + 2, bits);
            Vec bTmp = vec(bReg + 3, bits);
            if (key.activation == Activation.RELU) {
                as.vxorps(lo, lo, lo);
            } else if (key.activation == Activation.CLAMP) {
                as.vbroadcastss(lo, arg(ALPHA));
                as.vbroadcastss(hi, arg(BETA));
            }
            // Sigmoid, swish, ELU: the exp table through bCur (free after the K loop); per row the affine part and
            // residual first for all its vectors, then the activation and store vector by vector in t0–t3 (the
            // four registers past the accumulators: the scale and bias broadcasts are spent by then).
            boolean expAct = key.activation.rowWise();
            VectorExp exp = new VectorExp(bCur, 0, evex);
            Vec[] t = {lo, hi, sTmp, bTmp};
            if (expAct) {
                as.mov(bCur, arg(EXP_TABLE));
            }
            if (key.activation == Activation.PRELU) {
                // The tile's slopes through aCur (free after the K loop; the next group sets it again).
                as.mov(aCur, arg(SLOPES));
            }
            as.lea(row, mem(c, col * vb));
            if (key.residual) {
                as.lea(resRow, mem(res, col * vb));
            }
            for (int r = 0; r < key.mr; r++) {
                if (key.scale && !key.byColumn) {
                    as.vbroadcastss(sTmp, mem(scale, 4 * r));
                }
                if (key.bias && !evex && !key.byColumn) {
                    as.vbroadcastss(bTmp, mem(bias, 4 * r));
                }
                for (int v = 0; v < groupVectors; v++) {
                    Vec acc = vec(r * groupVectors + v, bits);
                    Vec accW = key.masked ? acc.k(k(col + v + 1)).z() : acc;
                    Mem out = mem(row, v * vb);
                    switch (key.mode) {
                        case INT_FIRST -> as.vcvtps2dq(acc, acc);
                        case INT_ACCUMULATE -> {
                            as.vcvtps2dq(acc, acc);
                            as.vpaddd(accW, acc, out);
                        }
                        default -> {
                            // As PostOps: fma(x, scale, bias), then + residual, then the activation. Per column
                            // (channels in the lanes): the scale vector through sTmp, the bias from memory.
                            Asm.Operand biasOp = key.byColumn ? mem(bias, (col + v) * vb)
                                    : evex ? mem(bias, 4 * r).bcst() : bTmp;
                            if (key.byColumn && key.scale) {
                                as.vmovups(sTmp, mem(scale, (col + v) * vb));
                            }
                            if (key.scale && key.bias) {
                                as.vfmadd213ps(acc, sTmp, biasOp);
                            } else if (key.scale) {
                                as.vmulps(acc, acc, sTmp);
                            } else if (key.bias) {
                                as.vaddps(acc, acc, biasOp);
                            }
                            if (key.residual) {
                                as.vaddps(accW, acc, mem(resRow, v * vb));
                            }
                            if (key.activation == Activation.RELU) {
                                // Integer max on the float bits, as FastMinMax.relu: any clear sign bit wins.
                                as.vpmaxsd(acc, acc, lo);
                            } else if (key.activation == Activation.CLAMP) {
                                // Operand order keeps a NaN (max/min return the second source when one is NaN).
                                as.vmaxps(acc, lo, acc);
                                as.vminps(acc, hi, acc);
                            }
                        }
                    }
                    if (!expAct) {
                        store(as, key, out, acc, col + v + 1);
                    }
                }
                for (int v = 0; expAct && v < groupVectors; v++) {
                    Vec acc = vec(r * groupVectors + v, bits);
                    if (key.activation == Activation.PRELU) {
                        // v < 0 ? v · slope : v, the slope of the row (broadcast) or the column vector.
                        Mem slope = key.byColumn ? mem(aCur, (col + v) * vb) : mem(aCur, 4 * r);
                        if (key.byColumn || evex) {
                            as.vmulps(t[1], acc, key.byColumn ? slope : slope.bcst());
                        } else {
                            as.vbroadcastss(t[0], slope);
                            as.vmulps(t[1], acc, t[0]);
                        }
                        post(exp, evex).whereNegative(as, acc, t[1], t[2]);
                    } else {
                        expActivation(as, key.activation, exp, acc, t, evex);
                    }
                    store(as, key, mem(row, v * vb), acc, col + v + 1);
                }
                if (r + 1 < key.mr) {
                    as.add(row, ldc);
                    if (key.residual) {
                        as.add(resRow, ldc);
                    }
                }
            }
        }
        as.add(a, arg(A_STEP));
        as.add(b, arg(B_STEP));
        as.add(c, arg(C_STEP));
        as.add(res, arg(C_STEP));
        as.add(scale, arg(POST_STEP));
        as.add(bias, arg(POST_STEP));
        if (key.activation == Activation.PRELU) {
            as.mov(k, arg(SLOPES));
            as.add(k, arg(POST_STEP));
            as.mov(arg(SLOPES), k);
        }
        as.dec(count);
        as.jcc(Assembler.Cond.NE, tile);
        as.vzeroupper();
        for (Gp r : new Gp[] {R15, R14, R13, R12, RBP, RBX}) {
            as.pop(r);
        }
        as.ret();
        return as.code();
    }

    private static void store(Assembler as, Key key, Mem out, Vec acc, int mask) {
        if (key.masked) {
            as.vmovups(out.k(k(mask)), acc);
        } else {
            as.vmovups(out, acc);
        }
    }

    /**
     * The post-op emitter of a tile's code: alpha from the stack, 3, 6, 1/6 and 0 from the constants table through
     * {@code exp}'s base, lanes selected in k7 (the tile's column masks use k1–k4).
     */
    private static PostOpEmitter post(VectorExp exp, boolean evex) {
        return new PostOpEmitter(evex, i -> switch (i) {
            case PostOpEmitter.ALPHA -> arg(ALPHA);
            case PostOpEmitter.THREE -> exp.at(THREE);
            case PostOpEmitter.SIX -> exp.at(SIX);
            case PostOpEmitter.SIXTH -> exp.at(SIXTH);
            case PostOpEmitter.ZERO -> exp.at(VectorExp.ZERO);
            default -> throw new IllegalArgumentException("no GEMM post-op constant " + i);
        }, exp, k(7));
    }

    /**
     * Sigmoid, swish, ELU, leaky ReLU or hard swish of {@code acc} as {@code PostOps}, in the four temporaries
     * {@code t} (the constants table through {@code exp}).
     */
    private static void expActivation(Assembler as, Activation activation, VectorExp exp, Vec acc, Vec[] t,
                                      boolean evex) {
        switch (activation) {
            case SIGMOID -> exp.sigmoid(as, acc, t[0], t[1], t[2]);
            case SWISH -> {
                as.vbroadcastss(t[3], arg(ALPHA));
                exp.swish(as, acc, t[3], t[3], t[0], t[1], t[2]);
            }
            case ELU -> exp.elu(as, acc, tmp -> {
                as.vbroadcastss(tmp, arg(ALPHA));
                return tmp;
            }, k(7), t[0], t[1], t[2], t[3]); // k7: the tile's column masks use k1–k4.
            case LEAKY_RELU -> post(exp, evex).negativeScaled(as, acc, t[0], t[1]);
            case HSWISH -> post(exp, evex).hardSwish(as, acc, t[0], t[1]);
            default -> throw new IllegalArgumentException("not an exp activation: " + activation);
        }
    }
}
