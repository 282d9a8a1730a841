package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Operand;
import dev.infero.cpu.jit.Asm.Vec;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated 2-D FP32 max and average pooling of NCHW channel planes, generated per layer shape, from the input to
 * the output with no padded copy: output columns in the lanes (16 per zmm, 8 per ymm), each output row's vectors
 * unrolled, reduced by {@code vmaxps} or {@code vaddps}; average pooling then multiplies by a per-output factor
 * table (1 / the window's count, as the caller computes it for exclude-pad or not).
 *
 * <p>Horizontal stride 2: per window row, the pair of vectors that holds a tap's 32 input columns is reduced over
 * the window's rows first (lane by lane: every row reads the same columns), then its even lanes (a {@code vpermt2ps},
 * or {@code vshufps} + {@code vpermpd} on AVX2) are that tap's values, and its odd lanes the next column's tap: 3×3
 * windows read two pairs per row and permute three times per output vector. Horizontal stride 1 is separable: each
 * input row's window-row results (kw taps, one load each) go to a scratch buffer, then each output row reduces its
 * window's rows of them (kh whole-vector loads): kw + kh loads per output vector instead of kw · kh.
 *
 * <p>Borders (padding, ceil rounding) are decided when the code is generated: output rows whose windows leave the
 * input are emitted one by one with only their rows inside it, the rest run in one loop; a tap whose lanes read
 * columns outside the row loads under a lane mask (opmasks, or {@code vmaskmovps} on AVX2) with the lanes off set to
 * the pooling's padding value (−∞ for max, 0 for average; {@code vblendvps} on AVX2), and a tap no lane of which is
 * inside the row is left out. Masked lanes are never read, so the code reads exactly the input plane and writes
 * exactly the output plane (the row's last vector stored under a mask). One call computes {@code planes}
 * consecutive planes.
 *
 * <p>Max pooling uses {@code vmaxps acc, acc, v}: NaN inputs are not guaranteed to win, as with the Vector API
 * kernel.
 */
public final class PoolKernel extends JitKernel {
    /**
     * Everything the code depends on: the ISA, max or average, the plane sizes, window, strides, dilations and the
     * top/left padding (bottom/right padding and ceil rounding are implied by the output size).
     */
    public record Key(Jit.Isa isa, boolean max, int inH, int inW, int outH, int outW, int kh, int kw, int sh, int sw,
                      int dh, int dw, int padT, int padL) {
        public Key {
            if (!supports(isa, inH, inW, outH, outW, kh, kw, sh, sw, dh, dw, padT, padL)) {
                throw new IllegalArgumentException("unsupported pooling for generated code: " + inH + "×" + inW
                        + " → " + outH + "×" + outW + ", window " + kh + "×" + kw + ", strides " + sh + "×" + sw
                        + ", dilations " + dh + "×" + dw + ", pads " + padT + "," + padL);
            }
        }

        /**
         * Whether generated code covers this pooling: horizontal stride 1 or 2 (any vertical stride), dilations,
         * windows up to {@link #MAX_TAPS} taps, byte offsets (input, output, separable buffer) within 31 bits, and code of bounded size (at most
         * {@link #MAX_BORDER_ROWS} output rows with windows crossing the top or bottom, {@link #MAX_WORK} unrolled
         * taps).
         */
        public static boolean supports(Jit.Isa isa, int inH, int inW, int outH, int outW, int kh, int kw, int sh,
                                       int sw, int dh, int dw, int padT, int padL) {
            if (isa == null || inH < 1 || inW < 1 || outH < 1 || outW < 1 || kh < 1 || kw < 1 || sh < 1
                    || (sw != 1 && sw != 2) || dh < 1 || dw < 1 || padT < 0 || padL < 0
                    || (long) kh * kw > MAX_TAPS) {
                return false;
            }
            long plane = (long) inH * inW;
            if (4 * (plane + (long) (kw * dw + padL + 2 * isa.lanes()) + (long) (kh * dh + padT) * inW)
                    > Integer.MAX_VALUE / 2 || 4L * outH * outW > Integer.MAX_VALUE / 2
                    || 4L * inH * (outW + isa.lanes()) > Integer.MAX_VALUE / 2) {
                return false;
            }
            int border = 0;
            for (int y = 0; y < outH; y++) {
                if (!fullRows(y, inH, kh, sh, dh, padT)) {
                    border++;
                }
            }
            long vectors = (outW + isa.lanes() - 1) / isa.lanes();
            return border <= MAX_BORDER_ROWS && vectors * kh * kw * (border + 1) <= MAX_WORK;
        }

        int lanes() {
            return isa.lanes();
        }
    }

    /** The most taps the code unrolls (13×13, SPP's largest window). */
    public static final int MAX_TAPS = 169;
    /** The most output rows emitted one by one. */
    public static final int MAX_BORDER_ROWS = 24;
    /** The most unrolled (vector, tap) pairs per generated kernel, bounding its code size. */
    public static final int MAX_WORK = 40_000;

    /** Whether every row of output row y's window lies inside the input. */
    private static boolean fullRows(int y, int inH, int kh, int sh, int dh, int padT) {
        int top = y * sh - padT;
        return top >= 0 && top + (kh - 1) * dh < inH;
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    /**
     * Constants: the lane indexes 0, 2, … 30 (AVX-512 {@code vpermt2ps}: the even lanes of two vectors), −∞ × 16, the
     * lane indexes 1, 3, … 31 (the odd lanes), then
     * the AVX2 masks of lanes [a, b) for a, b in 0…8, at {@link #MASKS} + 8·(9a + b).
     */
    private static final float[] CONSTS = new float[48 + 8 * 81];
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);
    private static final int NEG_INF = 16, ODD = 32, MASKS = 48;

    static {
        for (int i = 0; i < 16; i++) {
            CONSTS[i] = Float.intBitsToFloat(2 * i);
            CONSTS[NEG_INF + i] = Float.NEGATIVE_INFINITY;
            CONSTS[ODD + i] = Float.intBitsToFloat(2 * i + 1);
        }
        for (int a = 0; a <= 8; a++) {
            for (int b = 0; b <= 8; b++) {
                for (int i = 0; i < 8; i++) {
                    CONSTS[MASKS + 8 * (9 * a + b) + i] = Float.intBitsToFloat(i >= a && i < b ? -1 : 0);
                }
            }
        }
    }

    private final Key key;
    private final int inPlane;
    private final int outPlane;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public PoolKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.inPlane = key.inH() * key.inW();
        this.outPlane = key.outH() * key.outW();
    }

    public Key key() {
        return key;
    }

    /** Floats the factor table of average pooling holds: one per output position, then one vector's slack. */
    public int scaleLength() {
        return outPlane + key.lanes();
    }

    /** Whether the code is separable (horizontal stride 1): rows of window-row results first, in a scratch buffer. */
    public boolean separable() {
        return key.sw() == 1;
    }

    /**
     * Floats of the scratch buffer a call needs ({@link #separable}: per input row, its windows' row maxima or sums,
     * whole vectors per row), else 0.
     */
    public int bufferLength() {
        return separable() ? key.inH() * rowPitch(key) : 0;
    }

    /** Floats per row of the separable form's buffer: the output width in whole vectors. */
    private static int rowPitch(Key key) {
        return (key.outW() + key.lanes() - 1) / key.lanes() * key.lanes();
    }

    /**
     * Pools {@code planes} consecutive planes from {@code in[inOff..]} into {@code out[outOff..]}; average pooling
     * multiplies each window's sum by {@code scale[y · outW + x]} ({@link #scaleLength} floats; ignored for max);
     * {@code buffer} holds at least {@link #bufferLength} floats (its contents are overwritten). Every extent is
     * checked first.
     */
    public void run(float[] in, int inOff, float[] out, int outOff, float[] scale, float[] buffer, int planes) {
        checkRange("input", in.length, inOff, inOff + (long) planes * inPlane);
        checkRange("output", out.length, outOff, outOff + (long) planes * outPlane);
        checkRange("buffer", buffer.length, 0, bufferLength());
        float[] sc = NONE;
        if (!key.max()) {
            checkRange("scale", scale.length, 0, scaleLength());
            sc = scale;
        }
        if (planes <= 0) {
            return;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(in), s.of(out), s.of(sc), CONSTS_SEGMENT,
                    (long) inOff, (long) outOff, s.of(buffer), (long) planes);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    /** Arguments: in, out, scale, consts, inOff, outOff (registers), buffer and planes (from the stack). */
    private static final Gp IN = RDI, OUT = RSI, SCALE = RDX, CONSTS_REG = RCX, R_IN = R8, R_OUT = R9,
            R_SCALE = R10, ROWS = R11, PLANES = RAX, TMP = RBX, BUF = R12;

    /**
     * Vectors reduced at a time (tap-major inside a group, so their chains overlap): each takes an accumulator and
     * {@link #temps} registers.
     */
    private static int group(Jit.Isa isa, int sw) {
        return sw == 2 ? (isa.evex() ? 5 : 2) : (isa.evex() ? 8 : 4);
    }

    /** Temporaries per vector of a group: two for a tap's loads; stride 2 also keeps the window rows' pair. */
    private static int temps(int sw) {
        return sw == 2 ? 4 : 2;
    }

    /**
     * {@code void f(float* in, float* out, float* scale, float* consts, long inOff, long outOff, float* buffer,
     * long planes)}.
     */
    static byte[] generate(Key key) {
        Jit.Isa isa = key.isa();
        Assembler as = new Assembler();
        as.push(RBX);
        as.push(R12);
        as.mov(BUF, mem(RSP, 24));
        as.mov(PLANES, mem(RSP, 32));
        as.offsetFloats(R8, IN);
        as.offsetFloats(R9, OUT);
        Vec pad = pad(isa);
        Vec idx = idx(isa);
        if (key.max()) {
            as.vmovups(pad, mem(CONSTS_REG, 4 * NEG_INF));
        } else {
            as.vxorps(pad, pad, pad);
        }
        if (isa.evex() && key.sw() == 2) {
            as.vmovups(idx, mem(CONSTS_REG));
            as.vmovups(oddIdx(isa), mem(CONSTS_REG, 4 * ODD));
        }
        int tail = key.outW() % key.lanes();
        if (isa.evex() && tail != 0) {
            as.mov(TMP, (1L << tail) - 1);
            as.kmovw(k(1), TMP);
        }
        Assembler.Label planeLoop = as.newLabel();
        as.bind(planeLoop);
        boolean separable = key.sw() == 1;
        // What the rows below reduce: the input rows, or (separable) the buffer's rows of window-row results.
        Gp source = separable ? BUF : IN;
        int rowStride = separable ? rowPitch(key) : key.inW();
        if (separable) {
            emitHorizontal(as, key);
        }
        int y = 0;
        while (y < key.outH()) {
            if (!fullRows(y, key.inH(), key.kh(), key.sh(), key.dh(), key.padT())) {
                List<Integer> rows = new ArrayList<>();
                for (int i = 0; i < key.kh(); i++) {
                    int r = y * key.sh() - key.padT() + i * key.dh();
                    if (r >= 0 && r < key.inH()) {
                        rows.add(r * rowStride);
                    }
                }
                emitRow(as, key, source, rows, OUT, 4 * y * key.outW(), SCALE, 4 * y * key.outW());
                y++;
                continue;
            }
            int end = y;
            while (end < key.outH() && fullRows(end, key.inH(), key.kh(), key.sh(), key.dh(), key.padT())) {
                end++;
            }
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < key.kh(); i++) {
                rows.add(i * key.dh() * rowStride);
            }
            int count = end - y;
            as.lea(R_IN, mem(source, 4 * (y * key.sh() - key.padT()) * rowStride));
            as.lea(R_OUT, mem(OUT, 4 * y * key.outW()));
            as.lea(R_SCALE, mem(SCALE, 4 * y * key.outW()));
            Assembler.Label rowLoop = as.newLabel();
            if (count > 1) {
                as.mov(ROWS, count);
            }
            as.bind(rowLoop);
            emitRow(as, key, R_IN, rows, R_OUT, 0, R_SCALE, 0);
            if (count > 1) {
                as.add(R_IN, 4 * key.sh() * rowStride);
                as.add(R_OUT, 4 * key.outW());
                as.add(R_SCALE, 4 * key.outW());
                as.dec(ROWS);
                as.jcc(Assembler.Cond.NE, rowLoop);
            }
            y = end;
        }
        as.add(IN, 4 * key.inH() * key.inW());
        as.add(OUT, 4 * key.outH() * key.outW());
        as.dec(PLANES);
        as.jcc(Assembler.Cond.NE, planeLoop);
        as.vzeroupper();
        as.pop(R12);
        as.pop(RBX);
        as.ret();
        return as.code();
    }

    /**
     * The separable form's first pass: every input row's window-row results (the max or sum over the row's taps of
     * each output column's window, padding and columns past the row left out) into the buffer, row r at
     * {@code r · rowPitch}, whole vectors.
     */
    private static void emitHorizontal(Assembler as, Key key) {
        Jit.Isa isa = key.isa();
        int lanes = key.lanes();
        int vectors = (key.outW() + lanes - 1) / lanes;
        int g = group(isa, key.sw());
        as.mov(R_IN, IN);
        as.mov(R_SCALE, BUF);
        Assembler.Label rowLoop = as.newLabel();
        as.mov(ROWS, key.inH());
        as.bind(rowLoop);
        for (int v0 = 0; v0 < vectors; v0 += g) {
            int n = Math.min(g, vectors - v0);
            boolean[] started = new boolean[n];
            for (int j = 0; j < key.kw(); j++) {
                for (int v = 0; v < n; v++) {
                    started[v] |= emitTap(as, key, R_IN, 0, j, v0 + v, v, started[v]);
                }
            }
            for (int v = 0; v < n; v++) {
                if (!started[v]) {
                    as.vmovups(acc(isa, v), pad(isa));
                }
                as.vmovups(mem(R_SCALE, 4 * (v0 + v) * lanes), acc(isa, v));
            }
        }
        as.add(R_IN, 4 * key.inW());
        as.add(R_SCALE, 4 * rowPitch(key));
        as.dec(ROWS);
        as.jcc(Assembler.Cond.NE, rowLoop);
    }

    private static Vec pad(Jit.Isa isa) {
        return vec(isa.registers() - 1, isa.bits());
    }

    private static Vec idx(Jit.Isa isa) {
        return vec(isa.registers() - 2, isa.bits());
    }

    /** AVX-512: the odd lanes' indexes. */
    private static Vec oddIdx(Jit.Isa isa) {
        return vec(isa.registers() - 3, isa.bits());
    }

    /** AVX2: the register holding the current lane mask. */
    private static Vec maskReg(Jit.Isa isa) {
        return vec(isa.registers() - 2, isa.bits());
    }

    private static Vec acc(Jit.Isa isa, int v) {
        return vec(v, isa.bits());
    }

    private static Vec temp(Key key, int v, int which) {
        return vec(group(key.isa(), key.sw()) + temps(key.sw()) * v + which, key.isa().bits());
    }

    /**
     * One output row: {@code rows} holds, per window row inside the input, its element offset from {@code inBase}
     * (the columns are added per tap); the row's output and factors at {@code outBase + outDisp} and
     * {@code scaleBase + scaleDisp} (bytes).
     */
    private static void emitRow(Assembler as, Key key, Gp inBase, List<Integer> rows, Gp outBase, int outDisp,
                                Gp scaleBase, int scaleDisp) {
        Jit.Isa isa = key.isa();
        int lanes = key.lanes();
        int vectors = (key.outW() + lanes - 1) / lanes;
        int g = group(isa, key.sw());
        for (int v0 = 0; v0 < vectors; v0 += g) {
            int n = Math.min(g, vectors - v0);
            boolean[] started = new boolean[n];
            if (key.sw() == 1) {
                // The buffer's rows of window-row results: whole vectors, no borders left.
                for (int row : rows) {
                    for (int v = 0; v < n; v++) {
                        Mem src = mem(inBase, 4 * (row + (v0 + v) * lanes));
                        if (started[v]) {
                            reduce(as, key, acc(isa, v), src);
                        } else {
                            as.vmovups(acc(isa, v), src);
                            started[v] = true;
                        }
                    }
                }
            } else {
                // Taps whose columns j·dw share their even part read one pair of vectors: its even lanes, its odd.
                for (int b = 0; b <= (key.kw() - 1) * key.dw(); b += 2) {
                    boolean even = false;
                    boolean odd = false;
                    for (int j = 0; j < key.kw(); j++) {
                        even |= j * key.dw() == b;
                        odd |= j * key.dw() == b + 1;
                    }
                    if (!even && !odd) {
                        continue;
                    }
                    for (int v = 0; v < n; v++) {
                        started[v] |= emitPair(as, key, inBase, rows, b, even, odd, v0 + v, v, started[v]);
                    }
                }
            }
            for (int v = 0; v < n; v++) {
                Vec acc = acc(isa, v);
                if (!started[v]) {
                    as.vmovups(acc, pad(isa));
                }
                int x0 = (v0 + v) * lanes;
                int valid = Math.min(lanes, key.outW() - x0);
                if (!key.max()) {
                    as.vmulps(acc, acc, mem(scaleBase, scaleDisp + 4 * x0));
                }
                Mem dst = mem(outBase, outDisp + 4 * x0);
                if (valid == lanes) {
                    as.vmovups(dst, acc);
                } else if (isa.evex()) {
                    as.vmovups(dst.k(k(1)), acc);
                } else {
                    Vec m = maskReg(isa);
                    as.vmovups(m, avx2Mask(0, valid));
                    as.vmaskmovps(dst, m, acc);
                }
            }
        }
    }

    /**
     * Stride 1: tap {@code j} of one window row (element offset {@code row} from {@code inBase}) into the accumulator
     * of group slot {@code slot} (output vector {@code vector}): returns whether it read anything (else the tap is
     * left out). {@code started}: the accumulator already holds a value (else the tap's values become it).
     */
    private static boolean emitTap(Assembler as, Key key, Gp inBase, int row, int j, int vector, int slot,
                                   boolean started) {
        Jit.Isa isa = key.isa();
        int lanes = key.lanes();
        int x0 = vector * lanes;
        int valid = Math.min(lanes, key.outW() - x0);
        // Input column of lane 0's tap; the lanes read: [0, valid) within the row.
        int c = x0 + j * key.dw() - key.padL();
        int lo = Math.max(0, -c);
        int hi = Math.min(valid, key.inW() - c);
        if (lo >= hi) {
            return false;
        }
        Mem src = mem(inBase, 4 * (row + c));
        Vec acc = acc(isa, slot);
        Vec t0 = temp(key, slot, 0);
        if (lo == 0 && hi == lanes) {
            if (!started) {
                as.vmovups(acc, src);
            } else {
                reduce(as, key, acc, src);
            }
            return true;
        }
        loadPadded(as, isa, key.max(), started ? t0 : acc, src, lo, hi, 2);
        if (started) {
            reduce(as, key, acc, t0);
        }
        return true;
    }

    /**
     * Stride 2: the pair of vectors at input column {@code 2·x0 + b − padL} (raw lanes 0…2L − 1) reduced over the
     * window rows {@code rows} (max or sum, lane by lane: the columns are the same for every row), then its even
     * lanes (the tap at column offset b) and its odd lanes (offset b + 1), as asked, reduced into the accumulator of
     * slot {@code slot}. Returns whether it read anything.
     */
    private static boolean emitPair(Assembler as, Key key, Gp inBase, List<Integer> rows, int b, boolean even,
                                    boolean odd, int vector, int slot, boolean started) {
        Jit.Isa isa = key.isa();
        int lanes = key.lanes();
        int vb = isa.vectorBytes();
        int x0 = vector * lanes;
        int valid = Math.min(lanes, key.outW() - x0);
        int c = 2 * x0 + b - key.padL();
        int rawEnd = 2 * (valid - 1) + (odd ? 2 : 1);
        int lo = Math.max(0, -c);
        int hi = Math.min(rawEnd, key.inW() - c);
        if (lo >= hi || rows.isEmpty()) {
            return false;
        }
        Vec acc = acc(isa, slot);
        Vec p0 = temp(key, slot, 0);
        Vec p1 = temp(key, slot, 1);
        Vec t0 = temp(key, slot, 2);
        Vec t1 = temp(key, slot, 3);
        int loA = Math.min(lo, lanes);
        int hiA = Math.min(hi, lanes);
        int loB = Math.max(lo, lanes) - lanes;
        int hiB = Math.max(hi, lanes) - lanes;
        for (int r = 0; r < rows.size(); r++) {
            Mem src = mem(inBase, 4 * (rows.get(r) + c));
            if (r == 0) {
                if (loA < hiA) {
                    loadPadded(as, isa, key.max(), p0, src, loA, hiA, 2);
                } else {
                    as.vmovups(p0, pad(isa));
                }
                if (loB < hiB) {
                    loadPadded(as, isa, key.max(), p1, src.plus(vb), loB, hiB, 3);
                } else {
                    as.vmovups(p1, pad(isa));
                }
                continue;
            }
            if (loA < hiA) {
                if (loA == 0 && hiA == lanes) {
                    reduce(as, key, p0, src);
                } else {
                    loadPadded(as, isa, key.max(), t0, src, loA, hiA, 2);
                    reduce(as, key, p0, t0);
                }
            }
            if (loB < hiB) {
                if (loB == 0 && hiB == lanes) {
                    reduce(as, key, p1, src.plus(vb));
                } else {
                    loadPadded(as, isa, key.max(), t1, src.plus(vb), loB, hiB, 3);
                    reduce(as, key, p1, t1);
                }
            }
        }
        for (int sel = 0; sel < 2; sel++) {
            if (sel == 0 ? !even : !odd) {
                continue;
            }
            Vec into = started ? t0 : acc;
            if (isa.evex()) {
                as.vmovups(into, p0);
                as.vpermt2ps(into, sel == 0 ? idx(isa) : oddIdx(isa), p1);
            } else {
                as.vshufps(into, p0, p1, sel == 0 ? 0x88 : 0xDD);
                as.vpermpd(into, into, 0xD8);
            }
            if (started) {
                reduce(as, key, acc, t0);
            }
            started = true;
        }
        return true;
    }

    private static void reduce(Assembler as, Key key, Vec acc, Operand v) {
        if (key.max()) {
            as.vmaxps(acc, acc, v);
        } else {
            as.vaddps(acc, acc, v);
        }
    }

    /**
     * {@code dst} = lanes [lo, hi) of the vector at {@code src}, the other lanes the padding value (−∞ for max, 0
     * for average); lanes off are not read. AVX-512 uses opmask {@code k(mask)}.
     */
    private static void loadPadded(Assembler as, Jit.Isa isa, boolean max, Vec dst, Mem src, int lo, int hi,
                                   int mask) {
        int lanes = isa.lanes();
        if (lo == 0 && hi == lanes) {
            as.vmovups(dst, src);
            return;
        }
        if (isa.evex()) {
            as.mov(TMP, ((1L << hi) - 1) & ~((1L << lo) - 1));
            as.kmovw(k(mask), TMP);
            if (max) {
                as.vmovups(dst, pad(isa));
                as.vmovups(dst.k(k(mask)), src);
            } else {
                as.vmovups(dst.k(k(mask)).z(), src);
            }
            return;
        }
        Vec m = maskReg(isa);
        as.vmovups(m, avx2Mask(lo, hi));
        as.vmaskmovps(dst, m, src);
        if (max) {
            as.vblendvps(dst, pad(isa), dst, m);
        }
    }

    /** The AVX2 mask of lanes [lo, hi) in the constants. */
    private static Mem avx2Mask(int lo, int hi) {
        return mem(CONSTS_REG, 4 * (MASKS + 8 * (9 * lo + hi)));
    }
}
