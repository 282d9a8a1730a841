package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Vec;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A generated direct FP32 convolution writing the channel-blocked layout (nChw16c: 16 output channels in the lanes
 * of a 64-byte vector, pixel after pixel), reading either the same blocked layout or NCHW planes (stems).
 *
 * <p>A register tile is {@code tr} rows × {@code ow} consecutive output pixels × {@code ocb} blocks of 16 output
 * channels ({@code ocb · tr · ow ≤ 28} with AVX-512, each accumulator one zmm; AVX2: a block is two ymm,
 * {@code 2 · ocb · tr · ow ≤ 12}; several rows for narrow planes, so each weight vector feeds more FMAs).
 * Per input channel and tap the {@code ocb} weight vectors (16 output channels each) are loaded once and every
 * pixel's input value is broadcast into them: AVX-512 as the embedded {@code {1to16}} operand of each FMA, AVX2
 * through {@code vbroadcastss}. Or, AVX-512 with 2–4 blocks ({@link Key#broadcastRegs}), the other way round: the
 * pixels' values are broadcast into registers of their own ({@code ocb · pixels + pixels + 1 ≤ 32}) and each block's
 * weight vector is loaded once into the remaining one; a value is then read once instead of once per block, about
 * half the loads per FMA for 4 × 6 (two vector loads per cycle limit the embedded form to about 93 % of the FMA
 * rate). Input channels go in blocks of 16 (a loop; the last block may hold fewer, a key field), kernel rows in a
 * loop, kernel columns and the channels of a block unrolled.
 *
 * <p>The input is addressed through four strides (key fields, in floats): between the channels of a block, between
 * pixels, rows and blocks; blocked input is (1, 16, 16·IW, 16·IH·IW), NCHW input (IH·IW, 1, IW, 16·IH·IW).
 *
 * <p>Padding: a call covers tiles of output rows whose rows read the same kernel rows, row j of a tile
 * {@code [ranges[2j], ranges[2j + 1])} (the top and bottom padding rows read fewer; the driver
 * cuts the rows into such runs); columns are known when the code is generated, so the segments of a row whose taps
 * reach past the input row are generated one by one with those taps left out, the segments between them run in a
 * loop. Nothing outside the input rows is read.
 *
 * <p>Weights of one group of {@code ocb} output blocks are packed {@code [icb][kh][kw][16 ic][ocb][16 oc]} (zeros for
 * absent channels), followed by the post-op constants as vectors, {@code [ocb][ENTRIES][16 oc]} ({@link #pack}), so
 * the post-ops (scale, bias, residual, every activation, as {@link PostOpEmitter}: bit for bit as {@code PostOps})
 * run in registers with one value per output channel in each lane, before the single store.
 */
public final class BlockedConvKernel extends JitKernel {
    /** Channels per block. */
    public static final int BLOCK = 16;
    /** Floats of post-op constants per output block after a group's weights: {@link PostOpEmitter#ENTRIES} vectors. */
    public static final int TABLE = PostOpEmitter.ENTRIES * BLOCK;
    /** Largest kernel side. */
    public static final int MAX_KERNEL = 15;

    /**
     * Everything the code depends on.
     *
     * @param ocb      output-channel blocks of the group a call computes
     * @param ow       output pixels per row of a register tile
     * @param tr       output rows of a register tile (calls cover a multiple of them)
     * @param icbFull  input-channel blocks of 16 channels
     * @param icTail   channels of a last, partial input block (0: none)
     * @param cStride  input floats between the channels of a block
     * @param pStride  input floats between pixels of a row
     * @param rStride  input floats between rows
     * @param bStride  input floats between blocks of 16 channels
     * @param ranges   per row j of the tile, the first kernel row it reads and one past the last ({@code 2·tr}
     *                 values); the rows all read run in a loop, the others are unrolled for the rows that read them
     * @param outPlane floats of one output block (OH·OW·16)
     * @param prefetch bytes ahead of each weight vector to prefetch into L1 (0: none), for weights streamed from
     *                 memory (a prefetch never faults; it may reach past the weights)
     * @param broadcastRegs AVX-512 only: per input channel, every pixel's value is broadcast into a register of its
     *                 own first, then each block's weight vector is loaded once and multiplied into the pixels'
     *                 accumulators ({@link #fitsBroadcastRegs}); else each FMA broadcasts its pixel's value from
     *                 memory ({@code {1to16}}), the same value once per block
     */
    public record Key(Jit.Isa isa, int ocb, int ow, int tr, int icbFull, int icTail, int cStride, int pStride,
                      int rStride, int bStride, int inW, int kh, int kw, List<Integer> ranges, int sh, int sw,
                      int dh, int dw, int padLeft, int outW, int outPlane, int prefetch, boolean scale, boolean bias,
                      boolean residual, DepthwiseKernel.Activation activation, boolean broadcastRegs) {
        public Key {
            ranges = List.copyOf(ranges);
            for (int v : ranges) {
                if (v < 0 || v > kh) {
                    throw new IllegalArgumentException("blocked convolution: kernel rows " + ranges + " past " + kh);
                }
            }
            boolean tileFits = broadcastRegs ? fitsBroadcastRegs(isa, ocb, tr * ow) : fits(isa, ocb, tr * ow);
            if (tr < 1 || !tileFits || icbFull < 0
                    || icTail < 0 || icTail >= BLOCK || icbFull + icTail == 0 || kh < 1 || kw < 1 || kh > MAX_KERNEL
                    || kw > MAX_KERNEL || ranges.size() != 2 * tr || sh < 1 || sw < 1 || dh < 1 || dw < 1
                    || padLeft < 0 || outW < 1 || inW < 1 || cStride < 1 || pStride < 1 || rStride < 1
                    || bStride < 1 || outPlane < outW * BLOCK || prefetch < 0 || prefetch > 1 << 16) {
                throw new IllegalArgumentException("unsupported blocked convolution: " + this);
            }
            long limit = Integer.MAX_VALUE / 8;
            if ((long) outPlane * ocb > limit || (long) rStride * sh * tr > limit || (long) outW * BLOCK * tr > limit
                    || (long) rStride * dh * kh > limit
                    || (long) pStride * sw * (outW + kw) * dw > limit || (long) bStride > limit
                    || (long) cStride * BLOCK > limit) {
                throw new IllegalArgumentException("blocked convolution strides too large: " + this);
            }
        }

        /** Kernel rows these output rows read. */
        int rowsRead() {
            return Math.max(0, commonHi() - commonLo());
        }

        /** First kernel row of tile row j (rows past {@link #hi} read none). */
        int lo(int j) {
            return ranges.get(2 * j);
        }

        int hi(int j) {
            return ranges.get(2 * j + 1);
        }

        /** Whether tile row j reads any input row. */
        boolean reads(int j) {
            return hi(j) > lo(j);
        }

        /** Whether any row of the tile reads input. */
        public boolean readsAny() {
            for (int j = 0; j < tr; j++) {
                if (reads(j)) {
                    return true;
                }
            }
            return false;
        }

        /** First kernel row every reading row reads (the loop's). */
        int commonLo() {
            int c = 0;
            for (int j = 0; j < tr; j++) {
                c = reads(j) ? Math.max(c, lo(j)) : c;
            }
            return c;
        }

        /** One past the last kernel row every reading row reads. */
        int commonHi() {
            int c = kh;
            for (int j = 0; j < tr; j++) {
                c = reads(j) ? Math.min(c, hi(j)) : c;
            }
            return c;
        }

        /**
         * The first input row the tile reads, relative to {@code (first output row)·sh − padTop}: the call's input
         * offset is that row's.
         */
        public int firstRow() {
            int m = Integer.MAX_VALUE;
            for (int j = 0; j < tr; j++) {
                if (reads(j)) {
                    m = Math.min(m, j * sh + lo(j) * dh);
                }
            }
            return m == Integer.MAX_VALUE ? 0 : m;
        }

        /** Input rows past {@link #firstRow} the tile reads up to, the last one included. */
        int lastRow() {
            int m = 0;
            for (int j = 0; j < tr; j++) {
                if (reads(j)) {
                    m = Math.max(m, j * sh + (hi(j) - 1) * dh - firstRow());
                }
            }
            return m;
        }

        /** Input blocks, the partial one included. */
        int inBlocks() {
            return icbFull + (icTail > 0 ? 1 : 0);
        }

        /** Floats of a group's packed weights (before its constants). */
        int weightFloats() {
            return inBlocks() * kh * kw * BLOCK * ocb * BLOCK;
        }
    }

    /** Most accumulator registers of a tile: AVX-512 28 of 32 (the rest hold weights), AVX2 12 of 16. */
    public static int maxAccumulators(Jit.Isa isa) {
        return isa == Jit.Isa.AVX512 ? 28 : 12;
    }

    /**
     * Whether a register tile of {@code ocb} output blocks × {@code pixels} pixels (all its rows) fits the AVX-512
     * registers with a broadcast register per pixel ({@link Key#broadcastRegs}): the accumulators (at most
     * {@link #maxAccumulators}), one register per pixel and one weight register; 2–4 blocks (one block gains nothing:
     * each broadcast feeds one FMA either way). Loads per FMA: {@code 1/ocb + 1/pixels} against the embedded
     * broadcast's {@code 1 + 1/pixels}, which is what limits the embedded form on CPUs with two vector loads per cycle.
     */
    public static boolean fitsBroadcastRegs(Jit.Isa isa, int ocb, int pixels) {
        int acc = ocb * pixels;
        return isa.evex() && ocb >= 2 && ocb <= 4 && pixels >= 1 && acc <= maxAccumulators(isa)
                && acc + pixels + 1 <= isa.registers();
    }

    /**
     * Whether a register tile of {@code ocb} output blocks × {@code ow} pixels (all its rows) fits the registers of
     * {@code isa}:
     * the accumulators ({@link #maxAccumulators}), the {@code ocb} weight vectors (AVX2: two ymm each, and the
     * broadcast register); at most 4 blocks.
     */
    public static boolean fits(Jit.Isa isa, int ocb, int ow) {
        int halves = BLOCK / isa.lanes();
        int acc = ocb * ow * halves;
        return ocb >= 1 && ow >= 1 && ocb <= 4 && acc <= maxAccumulators(isa)
                && acc + ocb * halves + (isa.evex() ? 0 : 1) <= isa.registers();
    }

    /** Floats of one group's packed weights and constants. */
    public static int groupFloats(int ocb, int inBlocks, int kh, int kw) {
        return inBlocks * kh * kw * BLOCK * ocb * BLOCK + ocb * TABLE;
    }

    /**
     * Packs the weights of output blocks {@code [ob0, ob0 + ocb)} ({@code weights} [cout][cin][kh][kw] as in the op)
     * at {@code dst[off..]} ({@link #groupFloats}), zeros for channels past {@code cout} or {@code cin}, then the
     * post-op constants per channel ({@code scale}, {@code bias}, {@code alpha} per channel may be null: 1, 0,
     * {@code alpha0}; channels past {@code cout}: scale 1, bias 0).
     */
    public static void pack(float[] weights, int cout, int cin, int kh, int kw, int ob0, int ocb, float[] dst,
                            int off, float[] scale, float[] bias, float[] alpha, float alpha0, float beta) {
        int inBlocks = (cin + BLOCK - 1) / BLOCK;
        int k = cin * kh * kw;
        for (int icb = 0; icb < inBlocks; icb++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int ic = 0; ic < BLOCK; ic++) {
                        int i = icb * BLOCK + ic;
                        for (int o = 0; o < ocb; o++) {
                            int at = off + ((((icb * kh + y) * kw + x) * BLOCK + ic) * ocb + o) * BLOCK;
                            for (int l = 0; l < BLOCK; l++) {
                                int c = (ob0 + o) * BLOCK + l;
                                dst[at + l] = c < cout && i < cin ? weights[c * k + (i * kh + y) * kw + x] : 0f;
                            }
                        }
                    }
                }
            }
        }
        int table = off + inBlocks * kh * kw * BLOCK * ocb * BLOCK;
        float[] one = new float[PostOpEmitter.ENTRIES];
        for (int o = 0; o < ocb; o++) {
            for (int l = 0; l < BLOCK; l++) {
                int c = (ob0 + o) * BLOCK + l;
                boolean real = c < cout;
                PostOpEmitter.fill(one, 0, real && scale != null ? scale[c] : 1f, real && bias != null ? bias[c] : 0f,
                        real && alpha != null ? alpha[c] : alpha0, beta);
                for (int e = 0; e < PostOpEmitter.ENTRIES; e++) {
                    dst[table + (o * PostOpEmitter.ENTRIES + e) * BLOCK + l] = one[e];
                }
            }
        }
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    private static final float[] CONSTS = VectorExp.constants();
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);

    private final Key key;
    private final int groupFloats;
    /** Offset past the call's input offset of the last input element a call of one row may read, plus one. */
    private final long inSpan;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public BlockedConvKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.groupFloats = groupFloats(key.ocb(), key.inBlocks(), key.kh(), key.kw());
        long chan = key.icbFull() > 0 ? (long) (key.icbFull() - 1) * key.bStride() + (long) (BLOCK - 1) * key.cStride()
                : 0;
        if (key.icTail() > 0) {
            chan = Math.max(chan, (long) key.icbFull() * key.bStride() + (long) (key.icTail() - 1) * key.cStride());
        }
        this.inSpan = chan + (long) key.lastRow() * key.rStride()
                + (long) (key.inW() - 1) * key.pStride() + 1;
    }

    public Key key() {
        return key;
    }

    /**
     * Computes {@code rows} output rows of the key's {@code ocb} output blocks: block o's row r at
     * {@code out[outOff + o · outPlane + r · outW · 16 ..]}, reading the input from {@code in[inOff ..]} (column 0 of
     * the first input row the tile reads, {@link Key#firstRow}, output rows {@code sh} input rows apart), with the
     * group's packed weights and constants at float {@code wOff} of {@code w} ({@link #pack}; aligned native memory,
     * {@link PackedWeights}) and the residual at the output's offsets. {@code rows} must be whole tiles of {@code tr}
     * rows. Every extent is checked first.
     */
    public void run(float[] in, int inOff, MemorySegment w, int wOff, float[] out, int outOff, float[] residual,
                    int rows) {
        if (rows <= 0) {
            return;
        }
        Key k = key;
        if (rows % k.tr() != 0) {
            throw new IllegalArgumentException("blocked convolution: " + rows + " rows for tiles of " + k.tr());
        }
        if (k.readsAny()) {
            checkRange("input", in.length, inOff, inOff + (long) (rows - k.tr()) * k.sh() * k.rStride() + inSpan);
        }
        checkSegmentRange("weights", w, wOff, (long) wOff + groupFloats);
        long outEnd = (long) outOff + (long) (k.ocb() - 1) * k.outPlane() + (long) rows * k.outW() * BLOCK;
        checkRange("output", out.length, outOff, outEnd);
        float[] res = NONE;
        if (k.residual()) {
            checkRange("residual", residual.length, outOff, outEnd);
            res = residual;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(in), w, s.of(out), s.of(res), (long) inOff, (long) wOff,
                    (long) outOff, (long) rows, CONSTS_SEGMENT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    // Arguments: rdi in, rsi w, rdx out, rcx res, r8 inOff, r9 wOff, [rsp+8] outOff, [rsp+16] rows, [rsp+24] consts.
    private static final Gp IN_ROW = RDI, W = RSI, OUT_ROW = RDX, RES_ROW = RCX, I_SEG = R9, X_OUT = R10, I_CI = R11,
            W_CI = R12, CI_COUNT = R13, KY_COUNT = R14, SEG_COUNT = R15, ROWS = RBX, CONSTS_REG = RBP, TMP = RAX;
    private static final Gp[] SAVED = {RBX, RBP, R12, R13, R14, R15};

    /** The register plan: accumulators, then the weights, the broadcast register (AVX2), post-op temporaries. */
    private record Plan(Key key, int ow) {
        int halves() {
            return BLOCK / key.isa().lanes();
        }

        int bits() {
            return key.isa().bits();
        }

        int accumulators() {
            return key.ocb() * pixels() * halves();
        }

        /** Pixels of the tile: {@code tr} rows of {@code ow}. */
        int pixels() {
            return key.tr() * ow;
        }

        /** Accumulator of block o, pixel x (row x / ow, column x % ow of the tile), half h. */
        Vec acc(int o, int x, int h) {
            return vec((o * pixels() + x) * halves() + h, bits());
        }

        Vec weight(int o, int h) {
            return vec(accumulators() + o * halves() + h, bits());
        }

        Vec broadcast() {
            return vec(accumulators() + key.ocb() * halves(), bits());
        }

        /** With {@link Key#broadcastRegs}: the weight register, and pixel x's broadcast register. */
        Vec sharedWeight() {
            return vec(accumulators(), bits());
        }

        Vec broadcast(int x) {
            return vec(accumulators() + 1 + x, bits());
        }

        Vec temp(int i) {
            return vec(key.isa().registers() - 4 + i, bits());
        }
    }

    static byte[] generate(Key key) {
        Jit.Isa isa = key.isa();
        boolean evex = isa.evex();
        Assembler as = new Assembler();
        for (Gp g : SAVED) {
            as.push(g);
        }
        as.sub(RSP, 8);
        int argBase = 8 + 8 * SAVED.length + 8;
        as.offsetFloats(R8, IN_ROW);
        as.offsetFloats(R9, W);
        as.offsetFloats(mem(RSP, argBase), TMP, OUT_ROW, RES_ROW);
        as.mov(ROWS, mem(RSP, argBase + 8));
        as.mov(CONSTS_REG, mem(RSP, argBase + 16));
        int ow = key.ow();
        int outW = key.outW();
        int full = outW / ow;
        int tail = outW % ow;
        int lo = 0;
        while (lo < full && !interior(key, lo * ow, ow)) {
            lo++;
        }
        int hi = lo;
        while (hi < full && interior(key, hi * ow, ow)) {
            hi++;
        }
        long segIn = 4L * ow * key.sw() * key.pStride();
        Assembler.Label rowLoop = as.newLabel();
        as.bind(rowLoop);
        for (int s = 0; s < lo; s++) {
            segmentAt(as, key, s * ow, ow);
        }
        if (hi > lo) {
            as.lea(I_SEG, mem(IN_ROW, (int) (lo * segIn)));
            as.mov(X_OUT, 4L * BLOCK * lo * ow);
            Assembler.Label loop = as.newLabel();
            if (hi - lo > 1) {
                as.mov(SEG_COUNT, hi - lo);
            }
            as.bind(loop);
            emitSegment(as, key, new Plan(key, ow), -1);
            if (hi - lo > 1) {
                as.add(I_SEG, (int) segIn);
                as.add(X_OUT, 4 * BLOCK * ow);
                as.dec(SEG_COUNT);
                as.jcc(Assembler.Cond.NE, loop);
            }
        }
        for (int s = hi; s < full; s++) {
            segmentAt(as, key, s * ow, ow);
        }
        if (tail > 0) {
            segmentAt(as, key, full * ow, tail);
        }
        as.add(IN_ROW, 4 * key.tr() * key.sh() * key.rStride());
        as.add(OUT_ROW, 4 * BLOCK * outW * key.tr());
        as.add(RES_ROW, 4 * BLOCK * outW * key.tr());
        if (key.tr() == 1) {
            as.dec(ROWS);
        } else {
            as.sub(ROWS, key.tr());
        }
        as.jcc(Assembler.Cond.NE, rowLoop);
        as.add(RSP, 8);
        for (int i = SAVED.length - 1; i >= 0; i--) {
            as.pop(SAVED[i]);
        }
        as.vzeroupper();
        as.ret();
        return as.code();
    }

    /** Whether every tap of a segment of {@code ow} pixels at output column {@code x0} reads inside the row. */
    private static boolean interior(Key key, int x0, int ow) {
        int first = key.sw() * x0 - key.padLeft();
        int last = key.sw() * (x0 + ow - 1) - key.padLeft() + (key.kw() - 1) * key.dw();
        return first >= 0 && last < key.inW();
    }

    private static void segmentAt(Assembler as, Key key, int x0, int ow) {
        as.lea(I_SEG, mem(IN_ROW, 4 * x0 * key.sw() * key.pStride()));
        as.mov(X_OUT, 4L * BLOCK * x0);
        emitSegment(as, key, new Plan(key, ow), x0);
    }

    /**
     * One register tile at {@code I_SEG} / {@code X_OUT}: {@code x0} its output column when some taps fall outside
     * the row (those are left out), else -1. Sums over the input blocks, kernel rows, columns and channels, then the
     * post-ops and stores.
     */
    private static void emitSegment(Assembler as, Key key, Plan p, int x0) {
        boolean evex = key.isa().evex();
        int ow = p.ow();
        for (int o = 0; o < key.ocb(); o++) {
            for (int x = 0; x < p.pixels(); x++) {
                for (int h = 0; h < p.halves(); h++) {
                    VectorExp.zero(as, evex, p.acc(o, x, h));
                }
            }
        }
        int tapBytes = 4 * BLOCK * key.ocb() * BLOCK;
        if (key.readsAny()) {
            int n = key.rowsRead();
            as.mov(I_CI, I_SEG);
            as.lea(W_CI, mem(W, key.commonLo() * key.kw() * tapBytes));
            long blockAdvance = 4L * key.bStride() - 4L * n * key.dh() * key.rStride();
            int weightAdvance = (key.kh() - n) * key.kw() * tapBytes;
            if (key.icbFull() > 0) {
                Assembler.Label icb = as.newLabel();
                if (key.icbFull() > 1) {
                    as.mov(CI_COUNT, key.icbFull());
                }
                as.bind(icb);
                emitBlockTaps(as, key, p, x0, BLOCK);
                if (key.icbFull() > 1 || key.icTail() > 0) {
                    addLong(as, I_CI, blockAdvance);
                    if (weightAdvance != 0) {
                        as.add(W_CI, weightAdvance);
                    }
                }
                if (key.icbFull() > 1) {
                    as.dec(CI_COUNT);
                    as.jcc(Assembler.Cond.NE, icb);
                }
            }
            if (key.icTail() > 0) {
                emitBlockTaps(as, key, p, x0, key.icTail());
            }
        }
        // Post-ops and stores; the weight registers are free now.
        VectorExp exp = new VectorExp(CONSTS_REG, 0, evex);
        int table = 4 * key.weightFloats();
        int vb = key.isa().vectorBytes();
        for (int o = 0; o < key.ocb(); o++) {
            for (int h = 0; h < p.halves(); h++) {
                int base = table + 4 * o * TABLE + h * vb;
                PostOpEmitter post = new PostOpEmitter(evex, true, i -> mem(W, base + 4 * BLOCK * i), exp, k(2));
                for (int x = 0; x < p.pixels(); x++) {
                    Vec acc = p.acc(o, x, h);
                    int disp = 4 * o * key.outPlane() + 4 * BLOCK * (x / ow * key.outW() + x % ow) + h * vb;
                    Mem resAt = mem(RES_ROW, X_OUT, 1, disp);
                    post.apply(as, acc, key.scale(), key.bias(), key.residual() ? resAt : null, key.activation(),
                            false, null, p.temp(0), p.temp(1), p.temp(2), p.temp(3));
                    post.store(as, mem(OUT_ROW, X_OUT, 1, disp), acc, false, null, p.temp(2));
                }
            }
        }
    }

    /** {@code r += value} for a value that may not fit 32 bits. */
    private static void addLong(Assembler as, Gp r, long value) {
        if (value == 0) {
            return;
        }
        if (value == (int) value) {
            as.add(r, (int) value);
        } else {
            as.mov(TMP, value);
            as.add(r, TMP);
        }
    }

    /**
     * The taps of one input block of {@code channels} channels: the kernel rows all rows of the tile read in a loop
     * (advancing {@code I_CI} by rows and {@code W_CI} by a kernel row's weights), then the kernel rows only some
     * rows read (the top and bottom padding rows), unrolled for those rows; kernel columns and channels unrolled.
     */
    private static void emitBlockTaps(Assembler as, Key key, Plan p, int x0, int channels) {
        int n = key.rowsRead();
        int tr = key.tr();
        int first = key.firstRow();
        int weightRow = key.kw() * 4 * BLOCK * key.ocb() * BLOCK;
        int[] rowDisp = new int[tr];
        boolean[] live = new boolean[tr];
        if (n > 0) {
            Assembler.Label ky = as.newLabel();
            if (n > 1) {
                as.mov(KY_COUNT, n);
            }
            as.bind(ky);
            for (int j = 0; j < tr; j++) {
                live[j] = key.reads(j);
                rowDisp[j] = j * key.sh() + key.commonLo() * key.dh() - first;
            }
            emitTapRow(as, key, p, x0, channels, live, rowDisp, 0);
            as.add(I_CI, 4 * key.dh() * key.rStride());
            as.add(W_CI, weightRow);
            if (n > 1) {
                as.dec(KY_COUNT);
                as.jcc(Assembler.Cond.NE, ky);
            }
        }
        // I_CI and W_CI now stand n kernel rows past the common range's first.
        for (int ky = 0; ky < key.kh(); ky++) {
            if (ky >= key.commonLo() && ky < key.commonHi()) {
                continue;
            }
            boolean any = false;
            for (int j = 0; j < tr; j++) {
                live[j] = key.reads(j) && ky >= key.lo(j) && ky < key.hi(j);
                any |= live[j];
                rowDisp[j] = j * key.sh() + ky * key.dh() - first - n * key.dh();
            }
            if (any) {
                emitTapRow(as, key, p, x0, channels, live, rowDisp, (ky - key.commonLo() - n) * weightRow);
            }
        }
    }

    /**
     * One kernel row's taps for the tile rows {@code liveRow}: tile row j's input row {@code rowDisp[j]} rows past
     * {@code I_CI}, the weights {@code wDisp} bytes past {@code W_CI}.
     */
    private static void emitTapRow(Assembler as, Key key, Plan p, int x0, int channels, boolean[] liveRow,
                                   int[] rowDisp, int wDisp) {
        boolean evex = key.isa().evex();
        int ow = p.ow();
        int ocb = key.ocb();
        int vb = key.isa().vectorBytes();
        for (int kx = 0; kx < key.kw(); kx++) {
            boolean[] live = new boolean[p.pixels()];
            boolean any = false;
            for (int x = 0; x < p.pixels(); x++) {
                int col = key.sw() * ((x0 < 0 ? 0 : x0) + x % ow) - key.padLeft() + kx * key.dw();
                live[x] = liveRow[x / ow] && (x0 < 0 || (col >= 0 && col < key.inW()));
                any |= live[x];
            }
            if (!any) {
                continue;
            }
            for (int ic = 0; ic < channels; ic++) {
                if (key.broadcastRegs()) {
                    emitBroadcastRegs(as, key, p, live, ic, kx, rowDisp, wDisp);
                    continue;
                }
                for (int o = 0; o < ocb; o++) {
                    for (int h = 0; h < p.halves(); h++) {
                        as.vmovups(p.weight(o, h), mem(W_CI, wDisp + 4 * (((kx * BLOCK + ic) * ocb + o) * BLOCK)
                                + h * vb));
                    }
                    if (key.prefetch() > 0) {
                        as.prefetcht0(mem(W_CI, wDisp + 4 * (((kx * BLOCK + ic) * ocb + o) * BLOCK)
                                + key.prefetch()));
                    }
                }
                for (int x = 0; x < p.pixels(); x++) {
                    if (!live[x]) {
                        continue;
                    }
                    int col = key.sw() * (x % ow) - key.padLeft() + kx * key.dw();
                    long disp = 4L * (ic * (long) key.cStride() + col * (long) key.pStride()
                            + rowDisp[x / ow] * (long) key.rStride());
                    Mem src = mem(I_CI, Math.toIntExact(disp));
                    if (evex) {
                        for (int o = 0; o < ocb; o++) {
                            as.vfmadd231ps(p.acc(o, x, 0), p.weight(o, 0), src.bcst());
                        }
                    } else {
                        as.vbroadcastss(p.broadcast(), src);
                        for (int o = 0; o < ocb; o++) {
                            for (int h = 0; h < p.halves(); h++) {
                                as.vfmadd231ps(p.acc(o, x, h), p.weight(o, h), p.broadcast());
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One input channel of one tap with {@link Key#broadcastRegs}: the live pixels' values broadcast into their
     * registers, then per output block its weight vector loaded once and multiplied into those pixels' accumulators.
     */
    private static void emitBroadcastRegs(Assembler as, Key key, Plan p, boolean[] live, int ic, int kx,
                                          int[] rowDisp, int wDisp) {
        int ow = p.ow();
        for (int x = 0; x < p.pixels(); x++) {
            if (live[x]) {
                int col = key.sw() * (x % ow) - key.padLeft() + kx * key.dw();
                long disp = 4L * (ic * (long) key.cStride() + col * (long) key.pStride()
                        + rowDisp[x / ow] * (long) key.rStride());
                as.vbroadcastss(p.broadcast(x), mem(I_CI, Math.toIntExact(disp)));
            }
        }
        for (int o = 0; o < key.ocb(); o++) {
            int at = wDisp + 4 * (((kx * BLOCK + ic) * key.ocb() + o) * BLOCK);
            as.vmovups(p.sharedWeight(), mem(W_CI, at));
            if (key.prefetch() > 0) {
                as.prefetcht0(mem(W_CI, at + key.prefetch()));
            }
            for (int x = 0; x < p.pixels(); x++) {
                if (live[x]) {
                    as.vfmadd231ps(p.acc(o, x, 0), p.sharedWeight(), p.broadcast(x));
                }
            }
        }
    }
}
