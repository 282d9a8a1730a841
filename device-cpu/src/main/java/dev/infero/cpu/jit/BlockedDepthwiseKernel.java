package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;
import static dev.infero.cpu.jit.BlockedWindowCode.arg;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Vec;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A generated FP32 depthwise convolution on the channel-blocked layout nChw16c: one call computes a band of output
 * rows of one block of 16 channels, the 16 channels in the vector lanes (AVX2: the block's two halves of 8 lanes one
 * after the other), reading the input rows in place: no plane copy, no padding copy.
 *
 * <p>Register tile: a run of up to {@code T} consecutive output pixels of one row (T accumulators; T = registers −
 * max(KW + 1, 4): 24 on AVX-512 for 3×3, 12 on AVX2). Per kernel row the KW weight vectors of the row are loaded into
 * registers; then the input pixels the tile's taps read are loaded once each, in column order, and each feeds the
 * FMAs of every (output pixel, kw) pair that reads it (3×3 stride 1 with T = 24: 26 loads per 72 FMAs). So every
 * accumulator still sums its taps in order (kernel row by kernel row, kw ascending; the first tap {@code vmulps}),
 * as the NCHW kernels do. Taps left or right of the input row are left out at generation (the row's first and last
 * tiles are generated on their own, the inner tiles of one width run as a loop); the kernel rows above and below the
 * input are left out by the caller, which passes the range of kernel rows that fall inside ({@code khCount} rows from
 * the input row and weight row it points at; 0 gives the post-ops of 0).
 *
 * <p>Post-ops in registers before the single store, by {@link PostOpEmitter} on per-lane tables (each constant a
 * vector of the block's 16 channels: PReLU's slopes per channel), bit for bit as {@code PostOps}.
 */
public final class BlockedDepthwiseKernel extends JitKernel {
    /** Channels per block (floats per pixel). */
    public static final int BLOCK = 16;
    /** Floats of one block's post-op table: {@link PostOpEmitter#ENTRIES} vectors of 16 lanes. */
    public static final int TABLE = PostOpEmitter.ENTRIES * BLOCK;
    /** The widest kernel generated (the kernel rows are a loop: any height). */
    public static final int MAX_KW = 11;

    /**
     * Everything the code depends on.
     *
     * @param inW       input row length (pixels); rows {@code inW · 16} floats apart
     * @param outW      output row length (pixels)
     * @param kw        kernel width
     * @param strideH   rows of input between output rows
     * @param strideW   columns of input between output columns
     * @param dilationH rows of input between kernel rows
     * @param dilationW columns of input between kernel columns
     * @param padLeft   columns of padding left of the input
     */
    public record Key(Jit.Isa isa, int inW, int outW, int kw, int strideH, int strideW, int dilationH, int dilationW,
                      int padLeft, boolean scale, boolean bias, boolean residual, DepthwiseKernel.Activation activation) {
        public Key {
            if (inW < 1 || outW < 1 || kw < 1 || kw > MAX_KW || strideH < 1 || strideW < 1 || dilationH < 1
                    || dilationW < 1 || padLeft < 0) {
                throw new IllegalArgumentException("unsupported blocked depthwise row: in " + inW + ", out " + outW
                        + ", kernel width " + kw + ", strides " + strideH + "×" + strideW + ", dilations "
                        + dilationH + "×" + dilationW + ", pad " + padLeft);
            }
            long rowBytes = 4L * BLOCK * inW * Math.max(strideH, dilationH);
            long span = 4L * BLOCK * ((long) (outW - 1) * strideW + (long) (kw - 1) * dilationW + padLeft + inW);
            if (rowBytes > Integer.MAX_VALUE / 2 || span > Integer.MAX_VALUE / 2
                    || 4L * BLOCK * outW > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("blocked depthwise rows too long for the generated code: " + inW
                        + " → " + outW);
            }
        }

        /** Whether the generated code covers this layer (kernel width up to {@link #MAX_KW}, rows that fit). */
        public static boolean supports(int inW, int outW, int kw, int strideH, int strideW, int dilationH,
                                       int dilationW) {
            if (kw > MAX_KW || kw < 1) {
                return false;
            }
            long rowBytes = 4L * BLOCK * inW * Math.max(strideH, dilationH);
            long span = 4L * BLOCK * ((long) (outW - 1) * strideW + (long) (kw - 1) * dilationW + 2L * inW);
            return rowBytes <= Integer.MAX_VALUE / 2 && span <= Integer.MAX_VALUE / 2;
        }

        /** Accumulators per tile: the registers left by the row's weights and one input (at least four temporaries). */
        int tile() {
            return isa.registers() - Math.max(kw + 1, 4);
        }

        boolean hasPost() {
            return scale || bias || residual || activation != DepthwiseKernel.Activation.NONE;
        }
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    /** The constants of {@link VectorExp}. */
    private static final float[] CONSTS = VectorExp.constants();
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);

    private final Key key;
    private final int inRow;
    private final int outRow;
    private final int weightRow;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public BlockedDepthwiseKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.inRow = key.inW() * BLOCK;
        this.outRow = key.outW() * BLOCK;
        this.weightRow = key.kw() * BLOCK;
    }

    public Key key() {
        return key;
    }

    /**
     * Writes lane {@code lane} of the post-op table of one block at {@code table[off..]} ({@link #TABLE} floats):
     * entry i of the lane at {@code off + 16 · i + lane}.
     */
    public static void fillTable(float[] table, int off, int lane, float scale, float bias, float alpha, float beta) {
        float[] entries = new float[PostOpEmitter.ENTRIES];
        PostOpEmitter.fill(entries, 0, scale, bias, alpha, beta);
        for (int i = 0; i < PostOpEmitter.ENTRIES; i++) {
            table[off + BLOCK * i + lane] = entries[i];
        }
    }

    /**
     * Computes {@code rows} output rows of one channel block: output row r at {@code out[outOff + r · outW · 16..]}
     * (the residual at the same offsets), summing {@code khCount} kernel rows: kernel row k of output row r reads the
     * input row at {@code in[inOff + (r · strideH + k · dilationH) · inW · 16..]} with the weights at
     * {@code weights[wOff + k · kw · 16..]} ({@code [kw][16]} per kernel row), then the post-ops with the block's
     * table at {@code table[tableOff..]}. Every extent is checked first.
     */
    public void run(float[] in, int inOff, float[] weights, int wOff, float[] out, int outOff, float[] residual,
                    float[] table, int tableOff, int rows, int khCount) {
        if (rows < 1 || khCount < 0) {
            throw new IllegalArgumentException("blocked depthwise rows " + rows + ", kernel rows " + khCount);
        }
        if (khCount > 0) {
            checkRange("input", in.length, inOff, (long) inOff + ((long) (rows - 1) * key.strideH()
                    + (long) (khCount - 1) * key.dilationH()) * inRow + inRow);
            checkRange("weights", weights.length, wOff, (long) wOff + (long) khCount * weightRow);
        }
        checkRange("output", out.length, outOff, (long) outOff + (long) rows * outRow);
        checkRange("table", table.length, tableOff, (long) tableOff + TABLE);
        float[] res = NONE;
        if (key.residual()) {
            checkRange("residual", residual.length, outOff, (long) outOff + (long) rows * outRow);
            res = residual;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(in), s.of(weights), s.of(out), s.of(res), s.of(table), CONSTS_SEGMENT,
                    (long) inOff, (long) wOff, (long) outOff, (long) tableOff,
                    (long) rows, (long) khCount);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    private static final Gp IN = RDI, W = RSI, OUT = RDX, RES = RCX, TBL = R8, CONSTS_REG = R9, IT = R10, OT = R11,
            RT = RAX, ROWS = RBX, KH = R12, K = R13, IR = R14, WR = R15, TC = RBP;
    private static final int IN_OFF = 0, W_OFF = 1, OUT_OFF = 2, TABLE_OFF = 3, ROWS_ARG = 4, KH_ARG = 5;

    /**
     * {@code void f(float* in, float* w, float* out, float* res, float* table, float* consts, long inOff, long wOff,
     * long outOff, long tableOff, long rows, long khCount)}.
     */
    static byte[] generate(Key key) {
        Assembler as = new Assembler();
        BlockedWindowCode.prologue(as);
        as.offsetFloats(arg(IN_OFF), RAX, IN);
        as.offsetFloats(arg(W_OFF), RAX, W);
        as.offsetFloats(arg(OUT_OFF), RAX, OUT, RES);
        as.offsetFloats(arg(TABLE_OFF), RAX, TBL);
        as.mov(ROWS, arg(ROWS_ARG));
        as.mov(KH, arg(KH_ARG));
        BlockedRows plan = rows(key);
        BlockedWindowCode.emitRows(as, key.isa(), plan, key.tile(), key.strideH(),
                new BlockedWindowCode.Regs(IN, OUT, RES, 4 * BLOCK, IT, OT, RT, TC, ROWS),
                (g, half) -> emitTile(as, key, plan.byColumn(g.x0(), g.width()), g.width(), half));
        BlockedWindowCode.epilogue(as);
        return as.code();
    }

    /**
     * One tile of {@code width} pixels with its taps by input column ({@link BlockedRows#byColumn}; inner tiles of a
     * loop all read inside the row like the first), lanes {@code half · lanes} on of the block: the kernel rows, then
     * post-ops and stores.
     */
    private static void emitTile(Assembler as, Key key, List<List<BlockedRows.Tap>> byColumn, int width, int half) {
        Jit.Isa isa = key.isa();
        int bits = isa.bits();
        int hb = half * isa.vectorBytes();
        int pixel = 4 * BLOCK;
        int kw = key.kw();
        boolean[] usedTap = new boolean[kw];
        boolean[] started = new boolean[width];
        for (List<BlockedRows.Tap> column : byColumn) {
            for (BlockedRows.Tap t : column) {
                usedTap[t.kw()] = true;
                started[t.x()] = true;
            }
        }
        BlockedWindowCode.emitWindowRows(as, KH, K, IR, IT, pixel * key.inW() * key.dilationH(), WR, W, pixel * kw,
                () -> {
                    for (int x = 0; x < width; x++) {
                        VectorExp.zero(as, isa.evex(), acc(x, bits));
                    }
                },
                first -> emitKernelRow(as, key, byColumn, usedTap, width, hb, first),
                () -> {
                    for (int x = 0; x < width; x++) {
                        if (!started[x]) {
                            VectorExp.zero(as, isa.evex(), acc(x, bits));
                        }
                    }
                },
                () -> { });
        // Post-ops on the registers past the accumulators (at least four: the weights' and the input's).
        Vec t0 = vec(width, bits);
        Vec t1 = vec(width + 1, bits);
        Vec t2 = vec(width + 2, bits);
        Vec t3 = vec(width + 3, bits);
        PostOpEmitter emitter = new PostOpEmitter(isa.evex(), true, i -> mem(TBL, pixel * i + hb),
                new VectorExp(CONSTS_REG, 0, isa.evex()), k(2));
        for (int x = 0; x < width; x++) {
            Vec acc = acc(x, bits);
            if (key.hasPost()) {
                emitter.apply(as, acc, key.scale(), key.bias(), key.residual() ? mem(RT, pixel * x + hb) : null,
                        key.activation(), false, null, t0, t1, t2, t3);
            }
            emitter.store(as, mem(OT, pixel * x + hb), acc, false, null, t2);
        }
    }

    /**
     * One kernel row of a tile at the input row {@link #IR} and weight row {@link #WR}: the row's weights into
     * registers, then each input column the tile reads once, feeding its FMAs ({@code first}: the first kernel row,
     * where each accumulator's first tap multiplies).
     */
    private static void emitKernelRow(Assembler as, Key key, List<List<BlockedRows.Tap>> byColumn, boolean[] usedTap,
                                      int width, int hb, boolean first) {
        int bits = key.isa().bits();
        int pixel = 4 * BLOCK;
        int kw = key.kw();
        for (int t = 0; t < kw; t++) {
            if (usedTap[t]) {
                as.vmovups(weight(key, t), mem(WR, pixel * t + hb));
            }
        }
        boolean[] started = new boolean[width];
        Vec in = vec(width, bits);
        for (List<BlockedRows.Tap> column : byColumn) {
            as.vmovups(in, mem(IR, pixel * column.getFirst().rel() + hb));
            for (BlockedRows.Tap p : column) {
                int x = p.x();
                if (first && !started[x]) {
                    as.vmulps(acc(x, bits), in, weight(key, p.kw()));
                    started[x] = true;
                } else {
                    as.vfmadd231ps(acc(x, bits), in, weight(key, p.kw()));
                }
            }
        }
    }

    static BlockedRows rows(Key key) {
        return new BlockedRows(key.inW(), key.outW(), key.kw(), key.strideW(), key.dilationW(), key.padLeft());
    }

    private static Vec acc(int x, int bits) {
        return vec(x, bits);
    }

    /** Weight register of tap {@code t} of the kernel row: the last {@code kw} registers. */
    private static Vec weight(Key key, int t) {
        return vec(key.isa().registers() - key.kw() + t, key.isa().bits());
    }
}
