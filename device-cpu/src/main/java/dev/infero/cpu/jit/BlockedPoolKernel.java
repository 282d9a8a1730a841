package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;
import static dev.infero.cpu.jit.BlockedWindowCode.arg;

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
 * Generated FP32 max and average pooling on the channel-blocked layout nChw16c: one call computes a band of output
 * rows of one block of 16 channels, the channels in the vector lanes (AVX2: the block's two halves one after the
 * other), reading the input rows in place. The row plan is the depthwise kernel's ({@link BlockedRows}): tiles of up
 * to 24 (AVX2 13) output pixels in registers, the window taps left and right of the input left out at generation,
 * the window rows above and below left out by the caller (a range of window rows per call); each tap reduces straight
 * from memory into its accumulator.
 *
 * <p>Max: a NaN wins, as the reference's max: each tap first marks the lanes already NaN ({@code vcmpps} ORD into an
 * opmask, AVX2 UNORD into a vector) and {@code vmaxps} (which returns its second source, the input, when either is
 * NaN) writes only the others (merge masking; AVX2 a blend). A window with no tap inside gives −∞. Average: the sum of
 * the taps inside, times the output's factor (1 / count, from a table per output pixel the caller builds: a
 * broadcast per accumulator).
 */
public final class BlockedPoolKernel extends JitKernel {
    /** Channels per block (floats per pixel). */
    public static final int BLOCK = 16;

    /**
     * Everything the code depends on (see {@link BlockedDepthwiseKernel.Key} for the row fields).
     *
     * @param max max pooling, else average (with the factor table)
     */
    public record Key(Jit.Isa isa, int inW, int outW, int kw, int strideH, int strideW, int dilationH, int dilationW,
                      int padLeft, boolean max) {
        public Key {
            if (!supports(inW, outW, kw, strideH, strideW, dilationH, dilationW) || padLeft < 0) {
                throw new IllegalArgumentException("unsupported blocked pooling row: in " + inW + ", out " + outW
                        + ", window width " + kw + ", strides " + strideH + "×" + strideW + ", dilations "
                        + dilationH + "×" + dilationW + ", pad " + padLeft);
            }
        }

        /** Whether the rows fit the generated code's 32-bit displacements (any window: its rows are a loop). */
        public static boolean supports(int inW, int outW, int kw, int strideH, int strideW, int dilationH,
                                       int dilationW) {
            if (inW < 1 || outW < 1 || kw < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
                return false;
            }
            long rowBytes = 4L * BLOCK * inW * Math.max(strideH, dilationH);
            long span = 4L * BLOCK * ((long) (outW - 1) * strideW + (long) (kw - 1) * dilationW + 2L * inW);
            return rowBytes <= Integer.MAX_VALUE / 2 && span <= Integer.MAX_VALUE / 2 && (long) outW * kw <= 1 << 16;
        }

        /** Accumulators per tile: all registers but two temporaries (AVX2's NaN select) and one for the factor. */
        int tile() {
            return separable() ? isa.registers() - 3 - (kw - 1) : Math.min(24, isa.registers() - 3);
        }

        /**
         * Whether the window is reduced column by column first (horizontal stride and dilation 1, windows of 4
         * columns and more, at least 4 pixels per tile): each window row's input columns reduced into registers, then
         * each output from its KW column results, in place (SPP's 5×5, 9×9, 13×13: KH · (T + KW − 1) loads per T
         * outputs instead of KH · KW each).
         */
        boolean separable() {
            return strideW == 1 && dilationW == 1 && kw >= 4 && isa.registers() - 3 - (kw - 1) >= 4;
        }
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    /** −∞, the max of an empty window. */
    private static final float[] CONSTS = {Float.NEGATIVE_INFINITY};
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);

    private final Key key;
    private final int inRow;
    private final int outRow;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public BlockedPoolKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.inRow = key.inW() * BLOCK;
        this.outRow = key.outW() * BLOCK;
    }

    public Key key() {
        return key;
    }

    /**
     * Computes {@code rows} output rows of one channel block: output row r at {@code out[outOff + r · outW · 16..]},
     * reducing {@code khCount} window rows: window row k of output row r reads the input row at
     * {@code in[inOff + (r · strideH + k · dilationH) · inW · 16..]}; average pooling multiplies output (r, x) by
     * {@code factors[fOff + r · outW + x]}. Every extent is checked first.
     */
    public void run(float[] in, int inOff, float[] out, int outOff, float[] factors, int fOff, int rows,
                    int khCount) {
        if (rows < 1 || khCount < 0) {
            throw new IllegalArgumentException("blocked pooling rows " + rows + ", window rows " + khCount);
        }
        if (khCount > 0) {
            checkRange("input", in.length, inOff, (long) inOff + ((long) (rows - 1) * key.strideH()
                    + (long) (khCount - 1) * key.dilationH()) * inRow + inRow);
        }
        checkRange("output", out.length, outOff, (long) outOff + (long) rows * outRow);
        float[] f = NONE;
        if (!key.max()) {
            checkRange("factors", factors.length, fOff, (long) fOff + (long) rows * key.outW());
            f = factors;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(in), s.of(f), s.of(out), CONSTS_SEGMENT, (long) inOff, (long) fOff,
                    (long) outOff, (long) rows,
                    (long) khCount);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    private static final Gp IN = RDI, F = RSI, OUT = RDX, CONSTS_REG = RCX, IT = R10, OT = R11, FT = RAX,
            ROWS = RBX, KH = R12, K = R13, IR = R14, TC = RBP;

    /**
     * {@code void f(float* in, float* factors, float* out, float* consts, long inOff, long fOff, long outOff,
     * long rows, long khCount)}: inOff in r8, fOff in r9, the rest on the stack.
     */
    static byte[] generate(Key key) {
        Assembler as = new Assembler();
        BlockedWindowCode.prologue(as);
        as.offsetFloats(R8, IN);
        as.offsetFloats(R9, F);
        as.mov(RAX, arg(0));
        as.offsetFloats(RAX, OUT);
        as.mov(ROWS, arg(1));
        as.mov(KH, arg(2));
        BlockedRows plan = new BlockedRows(key.inW(), key.outW(), key.kw(), key.strideW(), key.dilationW(),
                key.padLeft());
        BlockedWindowCode.emitRows(as, key.isa(), plan, key.tile(), key.strideH(),
                new BlockedWindowCode.Regs(IN, OUT, F, 4, IT, OT, FT, TC, ROWS), (g, half) -> {
                    if (key.separable()) {
                        emitSeparableTile(as, key, g.x0(), g.width(), half);
                    } else {
                        emitTile(as, key, plan.byColumn(g.x0(), g.width()), g.width(), half);
                    }
                });
        BlockedWindowCode.epilogue(as);
        return as.code();
    }

    private static void emitTile(Assembler as, Key key, List<List<BlockedRows.Tap>> columns, int width, int half) {
        Jit.Isa isa = key.isa();
        int bits = isa.bits();
        int hb = half * isa.vectorBytes();
        boolean[] started = new boolean[width];
        for (List<BlockedRows.Tap> column : columns) {
            for (BlockedRows.Tap t : column) {
                started[t.x()] = true;
            }
        }
        BlockedWindowCode.emitWindowRows(as, KH, K, IR, IT, rowBytes(key), null, null, 0, () -> emptyAll(as, key, width),
                first -> emitWindowRow(as, key, columns, width, hb, first),
                () -> {
                    for (int x = 0; x < width; x++) {
                        if (!started[x]) {
                            empty(as, key, vec(x, bits));
                        }
                    }
                },
                () -> { });
        store(as, key, width, hb);
    }

    /**
     * A tile of a separable window ({@link Key#separable}): registers 0 … width + kw − 2 hold the tile's input
     * columns reduced over the window rows (columns outside the input are never loaded), then output x is reduced
     * from columns x … x + kw − 1 into register x (ascending, so every later output still finds its columns).
     */
    private static void emitSeparableTile(Assembler as, Key key, int x0, int width, int half) {
        Jit.Isa isa = key.isa();
        int bits = isa.bits();
        int hb = half * isa.vectorBytes();
        int pixel = 4 * BLOCK;
        int cols = width + key.kw() - 1;
        boolean[] inside = new boolean[cols];
        for (int j = 0; j < cols; j++) {
            int ix = x0 - key.padLeft() + j;
            inside[j] = ix >= 0 && ix < key.inW();
        }
        Vec t0 = vec(isa.registers() - 3, bits);
        Vec t1 = vec(isa.registers() - 2, bits);
        BlockedWindowCode.emitWindowRows(as, KH, K, IR, IT, rowBytes(key), null, null, 0, () -> emptyAll(as, key, width),
                first -> {
                    for (int j = 0; j < cols; j++) {
                        if (!inside[j]) {
                            continue;
                        }
                        Mem at = mem(IR, pixel * (j - key.padLeft()) + hb);
                        if (first) {
                            as.vmovups(vec(j, bits), at);
                        } else {
                            combine(as, key, vec(j, bits), at, t0, t1);
                        }
                    }
                },
                () -> { },
                () -> {
                    for (int x = 0; x < width; x++) {
                        Vec acc = vec(x, bits);
                        int first = -1;
                        for (int j = x; j < x + key.kw(); j++) {
                            if (!inside[j]) {
                                continue;
                            }
                            if (first < 0) {
                                first = j;
                                if (j != x) {
                                    as.vmovups(acc, vec(j, bits));
                                }
                            } else {
                                combine(as, key, acc, vec(j, bits), t0, t1);
                            }
                        }
                        if (first < 0) {
                            empty(as, key, acc);
                        }
                    }
                });
        store(as, key, width, hb);
    }

    /** Bytes from one window row's input row to the next. */
    private static int rowBytes(Key key) {
        return 4 * BLOCK * key.inW() * key.dilationH();
    }

    /** Every output of the tile as the value of an empty window. */
    private static void emptyAll(Assembler as, Key key, int width) {
        for (int x = 0; x < width; x++) {
            empty(as, key, vec(x, key.isa().bits()));
        }
    }

    /** {@code acc = max(acc, v)} with the NaN rule (see {@link #emitWindowRow}), or {@code acc += v}. */
    private static void combine(Assembler as, Key key, Vec acc, Asm.Operand v, Vec t0, Vec t1) {
        if (!key.max()) {
            as.vaddps(acc, acc, v);
        } else if (key.isa().evex()) {
            as.vcmpps(k(3), acc, acc, Assembler.CMP_ORD_Q);
            as.vmaxps(acc.k(k(3)), acc, v);
        } else {
            as.vmaxps(t0, acc, v);
            as.vcmpps(t1, acc, acc, Assembler.CMP_UNORD_Q);
            as.vblendvps(acc, t0, acc, t1);
        }
    }

    /** The tile's outputs times their factors (average), stored. */
    private static void store(Assembler as, Key key, int width, int hb) {
        Jit.Isa isa = key.isa();
        int bits = isa.bits();
        Vec t = vec(isa.registers() - 1, bits);
        for (int x = 0; x < width; x++) {
            Vec acc = vec(x, bits);
            if (!key.max()) {
                if (isa.evex()) {
                    as.vmulps(acc, acc, mem(FT, 4 * x).bcst());
                } else {
                    as.vbroadcastss(t, mem(FT, 4 * x));
                    as.vmulps(acc, acc, t);
                }
            }
            as.vmovups(mem(OT, 4 * BLOCK * x + hb), acc);
        }
    }

    /** The value of a window with no tap inside: −∞ for max, 0 for the sum. */
    private static void empty(Assembler as, Key key, Vec acc) {
        if (key.max()) {
            as.vbroadcastss(acc, mem(CONSTS_REG));
        } else {
            VectorExp.zero(as, key.isa().evex(), acc);
        }
    }

    /** One window row of a tile at the input row {@link #IR}: each tap reduced from memory into its accumulator. */
    private static void emitWindowRow(Assembler as, Key key, List<List<BlockedRows.Tap>> columns, int width, int hb,
                                      boolean first) {
        Jit.Isa isa = key.isa();
        int bits = isa.bits();
        int pixel = 4 * BLOCK;
        boolean[] started = new boolean[width];
        Vec t0 = vec(isa.registers() - 3, bits);
        Vec t1 = vec(isa.registers() - 2, bits);
        for (List<BlockedRows.Tap> column : columns) {
            Mem at = mem(IR, pixel * column.getFirst().rel() + hb);
            for (BlockedRows.Tap p : column) {
                Vec acc = vec(p.x(), bits);
                if (first && !started[p.x()]) {
                    as.vmovups(acc, at);
                    started[p.x()] = true;
                } else {
                    // Max: lanes not yet NaN take max(acc, in), which is the input when it is NaN; NaN lanes stay.
                    combine(as, key, acc, at, t0, t1);
                }
            }
        }
    }
}
