package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * INT8 convolution in the layout of the INT8 dot-product instructions ({@code vpdpbusd}: unsigned 8-bit times signed
 * 8-bit, four products summed into each 32-bit lane), as oneDNN computes it:
 * <ul>
 * <li><b>Activations as u8 levels</b> ({@code code + zeroPoint}, 0..255), four consecutive input channels of one
 * position in one int ("quads"), one plane of quads per group of four channels. The plane is the input with its
 * padding written out as the zero point (the value 0), split by stride into phases ({@code s×s} sub-planes of every
 * s-th row and column), so that for every kernel tap the inputs of consecutive output columns are consecutive ints:
 * output position {@code j = oh·Wq + ow} reads {@code plane[tapOffset + j]} for any stride and dilation, no im2col.
 * Columns {@code ow ≥ OW} of this "wide" output are computed and thrown away.</li>
 * <li><b>Weights as s8</b>, packed once: per block of {@link #MR} output channels, per tap, per channel quad, the
 * {@code MR} channels' four weights as one int each (broadcast to all lanes by the kernel).</li>
 * <li><b>Zero-point compensation</b>: {@code Σ (u - zp)·w = Σ u·w - zp·Σ w}; the int32 accumulators start at
 * {@code -zp·Σ w} per output channel, so padding (level zp) contributes nothing.</li>
 * <li>The int32 sums are exact (|sum| ≤ K·255·128 &lt; 2^31 is checked) and stored as raw bits in the float output;
 * the post-ops ({@link PostOps#withIntegerSums}) convert them, dequantize with the per-channel scale, add bias and
 * residual, activate, and write the next INT8 layer's codes when asked — the same arithmetic as
 * {@link QuantizedConvKernel}'s other strategies, so the results are identical.</li>
 * </ul>
 * The tile computation ({@link Tiles}) is pluggable: machine code generated for the layer (package
 * {@code dev.infero.cpu.jit.int8}), or {@link #referenceTiles()}, the plain-Java statement of exactly the same
 * arithmetic that the generated kernels are tested against.
 */
public final class U8S8Conv {
    /** Output channels per register tile. */
    public static final int MR = 6;
    /** Output positions per tile of the {@link Form#U8_QUADS} form: four vectors of 16 int32 lanes. */
    public static final int TILE = 64;
    /** Positions per vector. */
    public static final int LANES = 16;
    /** Output positions one work item covers at most, before rounding to whole output rows. */
    private static final int CHUNK_POSITIONS = 512;
    /** Output positions a stem's band covers at most ({@link #overTaps}, direct output). */
    private static final int STEM_CHUNK_POSITIONS = 2048;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lane i takes lane 2i of two consecutive vectors: one column phase of a stride-2 row. */
    private static final IntVector EVEN_LANES = IntVector.fromArray(I,
            java.util.stream.IntStream.range(0, I.length()).map(i -> 2 * i).toArray(), 0);
    /** Compute items per thread a split aims at (see rowsPerItem). */
    private static final int ITEMS_PER_THREAD = 3;

    /**
     * Computes {@code tiles} consecutive tiles of all output channels of one group: the int32 sums of
     * {@code in[inOff + t·TILE + lane + tapOffset + quad·plane]} times the group's packed weights, plus the
     * compensation, stored as raw bits at {@code out[outOff + channel·ldc + t·TILE + lane]}. Lanes of the last tile
     * are stored only where bit {@code lane} of {@code lastMask} is set; no other element of {@code out} is written.
     */
    public interface Tiles {
        /** Per-request state for {@code threads} threads (argument buffers), passed back to {@link #run}. */
        default Object newState(int threads) {
            return null;
        }

        void run(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask, int thread,
                 Object state);

        /**
         * Whether {@link #runFused} works: the tiles convert their sums to float and apply the post-ops' epilogue
         * ({@link PostOps#int8EpilogueFlags}) in registers before the store.
         */
        default boolean fusesPostOps() {
            return false;
        }

        /**
         * As {@link #run}, storing for output channel {@code c = group·rows + row} what
         * {@link PostOps#int8Epilogue} gives for each sum (with {@code table} and {@code flags} from the post-ops)
         * instead of the sums' bits; {@code residual} is read at the output's offsets (only with
         * {@link PostOps#EPILOGUE_RESIDUAL}, else may be {@code null}).
         */
        default void runFused(int[] in, int inOff, float[] out, int outOff, float[] residual, int group, int tiles,
                              long lastMask, int thread, Object state, float[] table, int flags) {
            throw new UnsupportedOperationException(name() + " does not fuse post-ops");
        }

        /**
         * Whether {@link #runFusedOnQuads} works: the code reads the packed input from any array's memory, here a
         * float tensor holding u8 quads ({@link U8S8Conv#readsQuads}).
         */
        default boolean readsQuadTensors() {
            return false;
        }

        /** {@link #runFused} reading the quads from the memory of {@code in}, a float tensor (its bits). */
        default void runFusedOnQuads(float[] in, int inOff, float[] out, int outOff, float[] residual, int group,
                                     int tiles, long lastMask, int thread, Object state, float[] table, int flags) {
            throw new UnsupportedOperationException(name() + " does not read quads from float tensors");
        }

        /** For per-layer counters, e.g. {@code jit_avx512_vnni}. */
        String name();
    }

    /** What generates {@link Tiles} for a layout, e.g. the JIT; returns {@code null} when it cannot. */
    public interface TilesFactory {
        Tiles create(U8S8Conv layout, int threads);
    }

    /**
     * How activations and weights share a 32-bit lane: four u8 activations and four s8 weights
     * ({@code vpdpbusd}, AVX512_VNNI; tiles of 64 positions, opmasked tails), or two of each as s16 ({@code vpmaddwd},
     * AVX2 without VNNI: exact, where {@code vpmaddubsw} would saturate its int16 pair sums at 255·127·2 — oneDNN
     * narrows the weights to 7 bits there instead, which changes results; tiles of 16 positions, no masks, so the
     * tiles always write per-thread rows).
     */
    public enum Form {
        U8_QUADS(4, TILE, true),
        S16_PAIRS(2, 16, false);

        final int perInt;
        final int tile;
        final boolean masked;

        Form(int perInt, int tile, boolean masked) {
            this.perInt = perInt;
            this.tile = tile;
            this.masked = masked;
        }

        /** Input channels per 32-bit lane. */
        public int channelsPerInt() {
            return perInt;
        }

        /** Output positions per tile. */
        public int tile() {
            return tile;
        }
    }

    private final ConvGeometry g;
    private final ActivationQuantizer quantizer;
    private final Form form;
    private final int tile;
    private final int quads;
    private final int hq;
    private final int wq;
    private final int plane;
    /** Phase slot of (row phase, column phase), or -1 when no tap reads that phase. */
    private final int[] phaseSlot;
    private final int phases;
    private final int[] tapOffsets;
    /** The largest tap offset plus the last quad plane's: what a tile reads beyond its first position. */
    private final int maxRead;
    private final int groupInts;
    private final int inputInts;
    private final int positions;
    private final boolean direct;
    private final int ldc;
    private final int chunkRows;
    private final int[] packedWeights;
    /** A row of zeros: what channels past a group's last read (level zeroPoint). */
    private final float[] zeros;
    private final int[] compensation;
    private final int blocks;
    /** A few-channel stem computed as quads over taps ({@link #overTaps}): packs its input per band; else null. */
    private final U8S8Stem stem;

    /**
     * @param weightCodes [Cout, Cin/groups, KH, KW] integer codes in [-128, 127]
     */
    public U8S8Conv(ConvGeometry g, float[] weightCodes, ActivationQuantizer quantizer) {
        this(g, weightCodes, quantizer, Form.U8_QUADS);
    }

    /**
     * @param weightCodes [Cout, Cin/groups, KH, KW] integer codes in [-128, 127]
     * @param form        how channels share a lane
     */
    public U8S8Conv(ConvGeometry g, float[] weightCodes, ActivationQuantizer quantizer, Form form) {
        this(g, weightCodes, quantizer, form, null);
    }

    /**
     * The layout of a few-channel stem ({@link U8S8Stem#applies}) with the quads taken over its taps: the 1×1
     * convolution of {@link U8S8Stem#tapGeometry} over the output grid, its input packed band by band from the
     * layer's input as the compute items reach it. Runs and results as the channel-quad layout's.
     *
     * @param weightCodes [Cout, Cin, KH, KW] integer codes in [-128, 127]
     */
    public static U8S8Conv overTaps(ConvGeometry g, float[] weightCodes, ActivationQuantizer quantizer, Form form) {
        if (!U8S8Stem.applies(g)) {
            throw new IllegalArgumentException("not a few-channel stem: " + g);
        }
        return new U8S8Conv(U8S8Stem.tapGeometry(g), U8S8Stem.weightsInDepthOrder(g, weightCodes, form), quantizer,
                form, g);
    }

    private U8S8Conv(ConvGeometry g, float[] weightCodes, ActivationQuantizer quantizer, Form form,
                     ConvGeometry stemLayer) {
        this.g = g;
        this.quantizer = quantizer;
        this.form = form;
        this.tile = form.tile;
        int per = form.perInt;
        int cinG = g.inChannelsPerGroup();
        int coutG = g.outChannelsPerGroup();
        int kh = g.kernelH();
        int kw = g.kernelW();
        this.quads = (cinG + per - 1) / per;
        int hp = (g.outH() - 1) * g.strideH() + (kh - 1) * g.dilationH() + 1;
        int wp = (g.outW() - 1) * g.strideW() + (kw - 1) * g.dilationW() + 1;
        this.hq = (hp + g.strideH() - 1) / g.strideH();
        this.wq = (wp + g.strideW() - 1) / g.strideW();
        this.direct = wq == g.outW() && form.masked;
        // A stem packs each band into its thread's buffer just before the tiles read it (so the band's quads stay in
        // L1/L2 and are never written back): its plane is one band. Writing the output directly, its bands are
        // longer: fewer input rows are quantized twice (the kernel's overlap between bands).
        int chunk = stemLayer != null && direct ? STEM_CHUNK_POSITIONS : CHUNK_POSITIONS;
        this.chunkRows = Math.max(1, Math.min(g.outH(), chunk / Math.max(1, wq)));
        this.plane = stemLayer == null ? hq * wq : roundUp(chunkRows * wq, tile);
        this.phaseSlot = new int[g.strideH() * g.strideW()];
        java.util.Arrays.fill(phaseSlot, -1);
        int slots = 0;
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                int phase = y * g.dilationH() % g.strideH() * g.strideW() + x * g.dilationW() % g.strideW();
                if (phaseSlot[phase] < 0) {
                    phaseSlot[phase] = slots++;
                }
            }
        }
        this.phases = slots;
        this.tapOffsets = new int[kh * kw];
        int maxTap = 0;
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                int phase = y * g.dilationH() % g.strideH() * g.strideW() + x * g.dilationW() % g.strideW();
                int off = phaseSlot[phase] * quads * plane + y * g.dilationH() / g.strideH() * wq
                        + x * g.dilationW() / g.strideW();
                tapOffsets[y * kw + x] = off;
                maxTap = Math.max(maxTap, off + (quads - 1) * plane);
            }
        }
        this.maxRead = maxTap;
        this.groupInts = phases * quads * plane;
        this.positions = g.outH() * (direct ? g.outW() : wq);
        this.ldc = direct ? g.outH() * g.outW() : roundUp(chunkRows * wq, tile);
        // Reads run up to a whole tile past the last position (each chunk rounds up to whole tiles).
        int lastRead = (g.batch() * g.groups() - 1) * groupInts + maxTap + g.outH() * wq + tile;
        // A stem's: one band, read up to its last whole tile (the plane is whole tiles).
        this.inputInts = stemLayer == null ? Math.max(g.batch() * g.groups() * groupInts, lastRead) : groupInts;
        long k = (long) quads * per * kh * kw;
        if (k * 255 * 128 >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("depth " + k + " could overflow int32 sums");
        }
        this.zeros = new float[g.inH() * g.inW()];
        this.blocks = (coutG + MR - 1) / MR;
        int taps = kh * kw;
        this.packedWeights = new int[g.groups() * blocks * taps * quads * MR];
        this.compensation = new int[g.groups() * blocks * MR];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = 0; co < coutG; co++) {
                int c = grp * coutG + co;
                long sum = 0;
                for (int ci = 0; ci < cinG; ci++) {
                    for (int t = 0; t < taps; t++) {
                        int w = (int) weightCodes[(c * cinG + ci) * taps + t];
                        if (w != weightCodes[(c * cinG + ci) * taps + t] || w < -128 || w > 127) {
                            throw new IllegalArgumentException("weight code " + weightCodes[(c * cinG + ci) * taps + t]
                                    + " is not a signed 8-bit integer");
                        }
                        sum += w;
                        int at = weightIndex(grp, co / MR, t, ci / per, co % MR);
                        packedWeights[at] |= per == 4 ? (w & 0xff) << (8 * (ci % 4)) : (w & 0xffff) << (16 * (ci % 2));
                    }
                }
                compensation[(grp * blocks + co / MR) * MR + co % MR] = (int) (-quantizer.zeroPoint() * sum);
            }
        }
        this.stem = stemLayer == null ? null : new U8S8Stem(stemLayer, quantizer, form, chunkRows);
    }

    /** Whether this layout computes a few-channel stem as quads over taps ({@link #overTaps}). */
    public boolean overTaps() {
        return stem != null;
    }

    /**
     * Whether a layer fits this layout: not depthwise, int32 sums that cannot overflow (depth · 255 · 128 &lt; 2^31)
     * and index arithmetic within int.
     */
    public static boolean fits(ConvGeometry g) {
        long k = (long) (g.inChannelsPerGroup() + 3) / 4 * 4 * g.kernelH() * g.kernelW();
        long plane = (long) g.inH() * g.strideH() * (g.inW() + g.kernelW() * g.dilationW()) * 4;
        long packed = (long) g.batch() * g.groups() * (g.inChannelsPerGroup() + 3) / 4 * plane * 4;
        long out = (long) g.batch() * g.outChannels() * g.outH() * (g.outW() + g.kernelW() * g.dilationW()) * 4;
        return !g.isDepthwise() && k * 255 * 128 < Integer.MAX_VALUE && packed < Integer.MAX_VALUE / 2
                && out < Integer.MAX_VALUE / 2;
    }

    private int weightIndex(int grp, int block, int tap, int quad, int row) {
        return (((grp * blocks + block) * tapOffsets.length + tap) * quads + quad) * MR + row;
    }

    public ConvGeometry geometry() {
        return g;
    }

    /** Channel quads (or pairs) per group: input channels per group / {@link Form#channelsPerInt}, rounded up. */
    public int quads() {
        return quads;
    }

    public Form form() {
        return form;
    }

    /** Ints of one quad plane (one phase of four channels). */
    public int plane() {
        return plane;
    }

    /** Per tap (kernel row-major), the offset in ints of its first quad plane's input for output position 0. */
    public int[] tapOffsets() {
        return tapOffsets.clone();
    }

    /** The largest offset a tile reads beyond its first position, minus the tile: see {@link #checkCall}. */
    public int maxRead() {
        return maxRead;
    }

    /** Ints of the packed input (all images and groups, plus what the last tiles read beyond). */
    public int inputInts() {
        return inputInts;
    }

    /** Ints of one image's group of packed input. */
    public int groupInts() {
        return groupInts;
    }

    /** Output channel stride of what the tiles write: the output plane, or a scratch row. */
    public int ldc() {
        return ldc;
    }

    /** Whether the tiles write the output itself (the wide output is the output), else per-thread scratch rows. */
    public boolean direct() {
        return direct;
    }

    /** Register-tile blocks of {@link #MR} output channels per group. */
    public int blocks() {
        return blocks;
    }

    /** Output channels per group. */
    public int rows() {
        return g.outChannelsPerGroup();
    }

    /**
     * The packed s8 weights: per group, block, tap, quad, the {@link #MR} rows' four codes as one int (rows past the
     * group's channels are 0). A copy.
     */
    public int[] packedWeights() {
        return packedWeights.clone();
    }

    /** Per group and block, the {@link #MR} accumulator start values {@code -zp·Σw} (0 past the channels). A copy. */
    public int[] compensation() {
        return compensation.clone();
    }

    /** Floats of per-thread scratch the tiles write when not {@link #direct}. */
    public int scratchFloats() {
        return direct ? 0 : g.outChannelsPerGroup() * ldc;
    }

    /** The plain-Java tiles: the reference the generated ones must equal. */
    public Tiles referenceTiles() {
        return new Tiles() {
            @Override
            public void run(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask,
                            int thread, Object state) {
                checkCall(in, inOff, out, outOff, group, tiles, lastMask);
                int taps = tapOffsets.length;
                for (int t = 0; t < tiles; t++) {
                    long mask = t == tiles - 1 ? lastMask : -1L;
                    for (int co = 0; co < rows(); co++) {
                        int block = co / MR;
                        for (int lane = 0; lane < tile; lane++) {
                            if ((mask >>> lane & 1) == 0) {
                                continue;
                            }
                            int acc = compensation[(group * blocks + block) * MR + co % MR];
                            int at = inOff + t * tile + lane;
                            for (int tap = 0; tap < taps; tap++) {
                                for (int q = 0; q < quads; q++) {
                                    int u = in[at + tapOffsets[tap] + q * plane];
                                    int w = packedWeights[weightIndex(group, block, tap, q, co % MR)];
                                    acc += form == Form.U8_QUADS ? dot4(u, w) : dot2(u, w);
                                }
                            }
                            out[outOff + co * ldc + t * tile + lane] = Float.intBitsToFloat(acc);
                        }
                    }
                }
            }

            @Override
            public boolean fusesPostOps() {
                return true;
            }

            @Override
            public void runFused(int[] in, int inOff, float[] out, int outOff, float[] residual, int group,
                                 int tiles, long lastMask, int thread, Object state, float[] table, int flags) {
                checkFused(out, outOff, residual, tiles, lastMask, table, flags);
                run(in, inOff, out, outOff, group, tiles, lastMask, thread, state);
                int channels = g.outChannels();
                for (int co = 0; co < rows(); co++) {
                    int c = group * rows() + co;
                    for (int j = 0; j < (tiles - 1) * tile + 64 - Long.numberOfLeadingZeros(lastMask); j++) {
                        int at = outOff + co * ldc + j;
                        if (j >= (tiles - 1) * tile && (lastMask >>> (j - (tiles - 1) * tile) & 1) == 0) {
                            continue;
                        }
                        float res = (flags & PostOps.EPILOGUE_RESIDUAL) != 0 ? residual[at] : 0f;
                        out[at] = PostOps.int8Epilogue(out[at], res, table, c, channels, flags);
                    }
                }
            }

            @Override
            public String name() {
                return "ref_u8s8";
            }
        };
    }

    /**
     * Checks a fused call's table (every section for every output channel) and, when the epilogue adds a residual,
     * that the residual covers every element the call writes (it is read at the output's offsets).
     */
    public void checkFused(float[] out, int outOff, float[] residual, int tiles, long lastMask, float[] table,
                           int flags) {
        if (table == null || table.length < PostOps.TABLE_SECTIONS * g.outChannels()) {
            throw new IllegalStateException("INT8 tiles need " + PostOps.TABLE_SECTIONS * g.outChannels()
                    + " epilogue constants, got " + (table == null ? "none" : table.length));
        }
        if ((flags & PostOps.EPILOGUE_RESIDUAL) != 0) {
            long written = form.masked ? (long) (tiles - 1) * tile + 64 - Long.numberOfLeadingZeros(lastMask)
                    : (long) tiles * tile;
            long lastWrite = (long) outOff + (long) (rows() - 1) * ldc + written;
            if (residual == null || lastWrite > residual.length) {
                throw new IllegalStateException("INT8 tile call reads the residual up to " + lastWrite + " of "
                        + (residual == null ? "none" : residual.length));
            }
        }
    }

    /** {@code vpdpbusd} on one lane: four unsigned bytes of {@code u} times four signed bytes of {@code s}. */
    static int dot4(int u, int s) {
        int sum = 0;
        for (int i = 0; i < 32; i += 8) {
            sum += (u >>> i & 0xff) * (byte) (s >>> i);
        }
        return sum;
    }

    /** {@code vpmaddwd} on one lane: two s16 of {@code u} times two s16 of {@code s}. */
    static int dot2(int u, int s) {
        return (short) u * (short) s + (u >> 16) * (s >> 16);
    }

    /**
     * Checks a tile call's extents against the arrays, so generated code never reads or writes outside them: the
     * tiles read {@code in[inOff + t·TILE + lane + tapOffset + quad·plane]} for every lane of every tile, and write
     * the first {@link #rows()} rows of {@code out} from {@code outOff}, {@code ldc} apart, up to the last tile.
     */
    public void checkCall(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask) {
        checkCall(in.length, inOff, out, outOff, group, tiles, lastMask);
    }

    /** {@link #checkCall} for an input of {@code inLength} ints (or floats holding quads). */
    public void checkCall(int inLength, int inOff, float[] out, int outOff, int group, int tiles, long lastMask) {
        long lastRead = (long) inOff + maxRead + (long) tiles * tile;
        long written = form.masked ? (long) (tiles - 1) * tile + 64 - Long.numberOfLeadingZeros(lastMask)
                : (long) tiles * tile;
        long lastWrite = (long) outOff + (long) (rows() - 1) * ldc + written;
        if (tiles < 1 || lastMask == 0 || group < 0 || group >= g.groups() || inOff < 0 || outOff < 0
                || lastRead > inLength || lastWrite > out.length || written > ldc) {
            throw new IllegalStateException("INT8 tile call out of bounds: input " + inOff + "+" + lastRead + " of "
                    + inLength + ", output " + outOff + ".." + lastWrite + " of " + out.length + ", " + tiles
                    + " tiles, ldc " + ldc);
        }
    }

    /** Per-request buffers: the packed input, per-thread scratch rows and the tasks (no allocation per run). */
    public final class Scratch {
        /** The packed input; a stem's, per thread, one band ({@link #stemPacked}). */
        final int[] packed = new int[stem == null ? inputInts : 0];
        final int[][] stemPacked;
        final float[][] rowsOut;
        /** Per thread, one quad of input planes packed in one run (padded or strided layers), two vectors of slack. */
        final int[][] planeBuffer;
        final Tiles tiles;
        final Object tilesState;
        final WorkerPool.ItemTask packTask;
        final WorkerPool.ItemTask computeTask;
        /** Per thread, a stem's level rows ({@link U8S8Stem#bufferInts}); empty for other layouts. */
        final int[][] stemBuffer;
        /** Output rows per compute item this call (at most {@link #chunkRows}; fewer to give every thread items). */
        int rowsPerItem;
        float[] in;
        float[] out;
        float[] residual;
        /** Where this call's output element 0 lies in {@link #out}. */
        int outOffset;
        PostOps post;
        /** The post-ops {@link #table} was made for, and whether the tiles apply them ({@link #flags}). */
        PostOps tablePost;
        float[] table;
        int flags;
        boolean fused;
        boolean codesIn;
        /** This call's input holds u8 quads (see {@link #readsQuads}); with {@link #onQuads} the tiles read it there. */
        boolean quadsIn;
        boolean onQuads;
        int threads;

        Scratch(int threads, Tiles tiles) {
            this.tiles = tiles;
            this.tilesState = tiles.newState(threads);
            rowsOut = new float[threads][scratchFloats()];
            planeBuffer = new int[threads][unpaddedStride1() ? 0 : g.inH() * g.inW() + 2 * I.length()];
            stemBuffer = new int[threads][stem == null ? 0 : stem.bufferInts()];
            stemPacked = new int[threads][stem == null ? 0 : inputInts];
            packTask = this::pack;
            computeTask = this::compute;
        }

        private void pack(int item, int slot) {
            packQuadPlane(this, item / quads, item % quads, slot);
        }

        private void compute(int item, int slot) {
            int chunks = (g.outH() + rowsPerItem - 1) / rowsPerItem;
            int ig = item / chunks;
            int oh0 = item % chunks * rowsPerItem;
            if (stem != null) {
                // The band's tap quads, just before its tiles read them (one group: ig is the image).
                stem.pack(in, codesIn, ig, oh0, Math.min(g.outH(), oh0 + rowsPerItem), stemPacked[slot], plane,
                        stemBuffer[slot]);
            }
            computeChunk(this, ig, oh0, slot);
        }
    }

    public Scratch newScratch(int threads, Tiles tiles) {
        return new Scratch(threads, tiles);
    }

    /**
     * One convolution: {@code in} holds values ({@code codesIn} false, quantized here) or the codes the layer before
     * wrote; the post-ops must take integer sums ({@link PostOps#withIntegerSums}).
     */
    public void run(float[] in, boolean codesIn, float[] out, float[] residual, PostOps post, Scratch s,
                    WorkerPool pool) {
        run(in, codesIn, false, out, residual, post, s, pool);
    }

    /**
     * Whether this layer can read its input as u8 quads written by the layer before ({@code WindowKernel
     * .writingQuads}): image n's quad q (channels 4q..4q+3 as the bytes of each 32-bit lane, levels
     * {@code code + zeroPoint}) at float {@code n·C·H·W + q·H·W} of the input, which is then the packed plane as it
     * is — u8 quads form, unpadded stride 1 (1×1), one group. Lanes of channels past C may hold anything (their
     * weights are 0).
     */
    public boolean readsQuads() {
        return stem == null && form == Form.U8_QUADS && unpaddedStride1() && g.groups() == 1
                && plane == g.inH() * g.inW();
    }

    /**
     * {@link #run}; with {@code quadsIn} the input holds u8 quads ({@link #readsQuads}): fused tiles that read float
     * tensors take them where they are (no packing pass), other tiles get their bits copied into the packed input.
     */
    public void run(float[] in, boolean codesIn, boolean quadsIn, float[] out, float[] residual, PostOps post,
                    Scratch s, WorkerPool pool) {
        run(in, codesIn, quadsIn, out, 0, residual, post, s, pool);
    }

    /**
     * {@link #run} writing output element 0 at {@code out[outOffset]}: the output is one block of a larger array (an
     * in-place Concat input). The whole block must lie inside {@code out}, and no residual is read (a residual is
     * laid out as the output, so only at offset 0).
     */
    public void run(float[] in, boolean codesIn, boolean quadsIn, float[] out, int outOffset, float[] residual,
                    PostOps post, Scratch s, WorkerPool pool) {
        if (quadsIn && !readsQuads()) {
            throw new IllegalStateException("this INT8 layer cannot read u8 quads");
        }
        long outSize = (long) g.batch() * g.outChannels() * g.outH() * g.outW();
        if (outOffset < 0 || outOffset + outSize > out.length || outOffset != 0 && residual != null) {
            throw new IllegalArgumentException("INT8 output block " + outOffset + ".." + (outOffset + outSize)
                    + " of an array of " + out.length + (residual != null ? " with a residual" : ""));
        }
        s.outOffset = outOffset;
        // Split only when each thread's share pays for the hand-off (small layers run whole on the caller).
        ConvGeometry layer = stem == null ? g : stem.geometry();
        int threads = Math.min(pool.threadsFor(layer.flops(), layer.activationBytes()), s.rowsOut.length);
        s.in = in;
        s.out = out;
        s.residual = residual;
        s.post = post;
        s.codesIn = codesIn;
        s.threads = threads;
        if (s.tablePost != post) {
            // Once per request and post-ops (a kernel's are fixed): the table the fused tiles read.
            s.tablePost = post;
            // The residual is laid out as the tiles' output only when they write the output tensor directly.
            s.flags = post.int8EpilogueFlags(direct);
            s.fused = s.tiles.fusesPostOps() && s.flags >= 0;
            s.table = s.fused ? post.int8EpilogueTable(g.outChannels()) : null;
        }
        s.quadsIn = quadsIn;
        // In place: the last image's tiles read up to a tile past its last quad plane, inside the tensor.
        s.onQuads = quadsIn && s.fused && s.tiles.readsQuadTensors()
                && (long) (g.batch() - 1) * g.inChannels() * plane + (long) quads * plane + tile <= in.length;
        if (!s.onQuads && stem == null) {
            java.util.Arrays.fill(s.packed, g.batch() * g.groups() * groupInts, inputInts, zeroLane());
            pool.parallelItems(threads, g.batch() * g.groups() * quads, s.packTask);
        }
        s.rowsPerItem = rowsPerItem(threads);
        int chunks = (g.outH() + s.rowsPerItem - 1) / s.rowsPerItem;
        pool.parallelItems(threads, g.batch() * g.groups() * chunks, s.computeTask);
        s.in = null;
        s.out = null;
        s.residual = null;
        s.post = null;
    }

    /** Whether the packed plane is the input's rows as they are: unpadded stride 1 (1×1 layers). */
    private boolean unpaddedStride1() {
        return g.strideW() == 1 && g.strideH() == 1 && g.padLeft() == 0 && g.padTop() == 0 && wq == g.inW()
                && hq <= g.inH();
    }

    /**
     * Output rows per compute item on {@code threads} threads: {@link #chunkRows} (the cache budget) on one thread;
     * on several, fewer when that leaves fewer than {@link #ITEMS_PER_THREAD} items per thread (claimed dynamically,
     * so a late or slower thread takes fewer), but never less than one tile of positions per item.
     */
    private int rowsPerItem(int threads) {
        if (threads <= 1) {
            return chunkRows;
        }
        int images = g.batch() * g.groups();
        int perImage = (ITEMS_PER_THREAD * threads + images - 1) / images;
        int rows = (g.outH() + perImage - 1) / perImage;
        int minRows = (tile + (direct ? g.outW() : wq) - 1) / (direct ? g.outW() : wq);
        return Math.clamp(rows, Math.min(minRows, chunkRows), chunkRows);
    }

    /**
     * Packs the quad plane(s) of image·group {@code ig}, channel quad {@code q}, for every phase used. The input's
     * planes are packed in one run (vector loops, one tail per plane rather than per row), then each phase row is
     * copied from there (a strided layer's column phases split with two-vector lane selections at stride 2), padding
     * rows and columns getting the zero point.
     */
    private void packQuadPlane(Scratch s, int ig, int q, int thread) {
        if (s.quadsIn) {
            // The quad plane's bits as they are (one group: ig is the image).
            int from = (ig * g.inChannels() + q) * plane;
            int to = ig * groupInts + q * plane;
            int j = 0;
            for (int bound = F.loopBound(plane); j < bound; j += F.length()) {
                FloatVector.fromArray(F, s.in, from + j).reinterpretAsInts().intoArray(s.packed, to + j);
            }
            for (; j < plane; j++) {
                s.packed[to + j] = Float.floatToRawIntBits(s.in[from + j]);
            }
            return;
        }
        int n = ig / g.groups();
        int grp = ig % g.groups();
        int cinG = g.inChannelsPerGroup();
        int inPlane = g.inH() * g.inW();
        int c0 = q * form.perInt;
        int base = (n * g.inChannels() + grp * cinG) * inPlane;
        // Channels past the group's read a row of zeros: level zeroPoint, as padding.
        float[] x0 = s.in;
        float[] x1 = c0 + 1 < cinG ? s.in : zeros;
        float[] x2 = c0 + 2 < cinG ? s.in : zeros;
        float[] x3 = c0 + 3 < cinG ? s.in : zeros;
        int r0 = base + c0 * inPlane;
        int r1 = c0 + 1 < cinG ? r0 + inPlane : 0;
        int r2 = c0 + 2 < cinG ? r0 + 2 * inPlane : 0;
        int r3 = c0 + 3 < cinG ? r0 + 3 * inPlane : 0;
        if (unpaddedStride1()) {
            // The plane is the input's rows as they are, in one run.
            pack(x0, r0, x1, r1, x2, r2, x3, r3, hq * wq, s.codesIn, s.packed, ig * groupInts + q * plane);
            return;
        }
        int[] planeInts = s.planeBuffer[thread];
        pack(x0, r0, x1, r1, x2, r2, x3, r3, inPlane, s.codesIn, planeInts, 0);
        int zero = zeroLane();
        int sh = g.strideH();
        int sw = g.strideW();
        int[] packed = s.packed;
        for (int py = 0; py < sh; py++) {
            for (int r = 0; r < hq; r++) {
                int iy = r * sh + py - g.padTop();
                boolean inside = iy >= 0 && iy < g.inH();
                for (int px = 0; px < sw; px++) {
                    int slot = phaseSlot[py * sw + px];
                    if (slot < 0) {
                        continue;
                    }
                    int dst = ig * groupInts + (slot * quads + q) * plane + r * wq;
                    if (!inside) {
                        java.util.Arrays.fill(packed, dst, dst + wq, zero);
                    } else if (sw == 1) {
                        // Columns t - padLeft of the input: padding, the row, padding.
                        int left = Math.min(wq, g.padLeft());
                        int width = Math.max(0, Math.min(wq - left, g.inW()));
                        for (int t = 0; t < left; t++) {
                            packed[dst + t] = zero;
                        }
                        System.arraycopy(planeInts, iy * g.inW(), packed, dst + left, width);
                        for (int t = left + width; t < wq; t++) {
                            packed[dst + t] = zero;
                        }
                    } else {
                        splitPhase(planeInts, iy * g.inW() + px - g.padLeft(), iy * g.inW(), sw, packed, dst, zero);
                    }
                }
            }
        }
    }

    /**
     * {@code packed[dst + t] = row[start + t·step + shift]} for the {@link #wq} columns of a phase row ({@code shift}
     * the phase's column less the left padding, {@code from = start + shift}), the zero point where that column is
     * padding.
     */
    private void splitPhase(int[] row, int from, int start, int step, int[] packed, int dst, int zero) {
        int inW = g.inW();
        int shift = from - start;
        // Columns inside the input: [first, end).
        int first = Math.min(wq, shift >= 0 ? 0 : (-shift + step - 1) / step);
        int end = Math.max(first, Math.min(wq, inW - shift <= 0 ? 0 : (inW - shift + step - 1) / step));
        java.util.Arrays.fill(packed, dst, dst + first, zero);
        int t = first;
        if (step == 2) {
            // The plane buffer has two vectors of slack past the plane, so the loads stay in bounds.
            for (; t + I.length() <= end; t += I.length()) {
                int src = from + 2 * t;
                IntVector lo = IntVector.fromArray(I, row, src);
                IntVector hi = IntVector.fromArray(I, row, src + I.length());
                EVEN_LANES.selectFrom(lo, hi).intoArray(packed, dst + t);
            }
        }
        for (; t < end; t++) {
            packed[dst + t] = row[from + t * step];
        }
        java.util.Arrays.fill(packed, dst + end, dst + wq, zero);
    }

    private void pack(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] x3, int o3, int n,
                      boolean codes, int[] dst, int dstOff) {
        if (form == Form.U8_QUADS) {
            quantizer.packQuads(x0, o0, x1, o1, x2, o2, x3, o3, n, codes, dst, dstOff);
        } else {
            quantizer.packPairs(x0, o0, x1, o1, n, codes, dst, dstOff);
        }
    }

    /** The zero point in every channel of a lane. */
    private int zeroLane() {
        return form == Form.U8_QUADS ? quantizer.zeroQuad() : quantizer.zeroPair();
    }

    /** Output rows [oh0, oh0 + rowsPerItem) of image·group {@code ig}: the tiles, then the post-ops. */
    private void computeChunk(Scratch s, int ig, int oh0, int thread) {
        int n = ig / g.groups();
        int grp = ig % g.groups();
        int oh1 = Math.min(g.outH(), oh0 + s.rowsPerItem);
        int ow = g.outW();
        int spatial = g.outH() * ow;
        int coutG = g.outChannelsPerGroup();
        int outBase = s.outOffset + (n * g.outChannels() + grp * coutG) * spatial;
        // A stem's band is at the start of its thread's buffer.
        int[] packed = stem == null ? s.packed : s.stemPacked[thread];
        int inOff = stem == null ? ig * groupInts : -oh0 * wq;
        if (direct) {
            int j0 = oh0 * ow;
            int count = (oh1 - oh0) * ow;
            int tiles = (count + tile - 1) / tile;
            if (s.onQuads) {
                s.tiles.runFusedOnQuads(s.in, n * g.inChannels() * plane + j0, s.out, outBase + j0, s.residual, grp,
                        tiles, lastMask(count), thread, s.tilesState, s.table, s.flags);
                return;
            }
            if (s.fused) {
                s.tiles.runFused(packed, inOff + j0, s.out, outBase + j0, s.residual, grp, tiles, lastMask(count),
                        thread, s.tilesState, s.table, s.flags);
                return;
            }
            s.tiles.run(packed, inOff + j0, s.out, outBase + j0, grp, tiles, lastMask(count), thread, s.tilesState);
            for (int co = 0; co < coutG; co++) {
                s.post.apply(s.out, outBase + co * spatial + j0, count, grp * coutG + co, s.residual);
            }
            return;
        }
        int count = (oh1 - oh0) * wq;
        int tiles = (count + tile - 1) / tile;
        float[] rowsOut = s.rowsOut[thread];
        if (s.fused) {
            s.tiles.runFused(packed, inOff + oh0 * wq, rowsOut, 0, null, grp, tiles, lastMask(count), thread,
                    s.tilesState, s.table, s.flags);
        } else {
            s.tiles.run(packed, inOff + oh0 * wq, rowsOut, 0, grp, tiles, lastMask(count), thread, s.tilesState);
        }
        for (int co = 0; co < coutG; co++) {
            int dst = outBase + co * spatial + oh0 * ow;
            for (int oh = oh0; oh < oh1; oh++) {
                System.arraycopy(rowsOut, co * ldc + (oh - oh0) * wq, s.out, dst + (oh - oh0) * ow, ow);
            }
            if (!s.fused) {
                s.post.apply(s.out, dst, (oh1 - oh0) * ow, grp * coutG + co, s.residual);
            }
        }
    }

    /** The lanes of the last tile of {@code count} positions. */
    long lastMask(int count) {
        int rest = count - (count - 1) / tile * tile;
        return rest == 64 ? -1L : (1L << rest) - 1;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
