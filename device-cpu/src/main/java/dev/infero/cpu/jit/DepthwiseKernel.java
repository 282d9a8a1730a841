package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mask;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Operand;
import dev.infero.cpu.jit.Asm.Vec;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated FP32 depthwise convolution of one channel plane, generated per layer shape: reads the plane's padded,
 * stride-phase-split copy ({@code WindowKernel}'s buffer: output (y, x)'s tap t at buffer element
 * {@code y · pitch + x + taps[t]}, whatever the kernel size, stride, dilation or padding) and writes the output plane
 * (rows {@code outW} apart) with its post-ops applied in registers before the single store.
 *
 * <p>Vectorised along the output row (16 or 8 outputs per register), a block of R output rows × X vectors in
 * registers at a time. The taps of a block run in a skewed order: accumulator row r does tap {@code s - r·lag} at
 * step s, where {@code lag} is the tap distance between vertically neighbouring taps (KW at stride 1, strideH · KW
 * with phase-split strides): all rows of a step then read the same buffer row, so each loaded vector feeds up to
 * KH FMAs (3×3, 4 rows: 6 loads instead of 12 per 12 FMAs), and each accumulator still sums its taps in order (the
 * same rounding as the Vector API kernel). The row's last vector is stored under a mask (opmask on AVX-512,
 * {@code vmaskmovps} on AVX2); lanes past the row compute on buffer values nobody stores. Weights stay in registers
 * when they fit (3×3), else AVX-512 broadcasts them from memory inside the FMA and AVX2 through one register.
 *
 * <p>Post-ops in registers: per-channel scale and bias ({@code fma(x, scale, bias)}), residual add, then ReLU, clamp,
 * leaky ReLU / PReLU or HSwish — bit for bit as {@code PostOps} — or sigmoid and ELU through a generated {@code exp}.
 * Their per-channel constants come from a table of {@link #TABLE} floats per channel.
 *
 * <p>With a {@link Fill}, the code first copies the input plane into the buffer itself (strides 1 and 2).
 */
public final class DepthwiseKernel extends JitKernel {
    /** Activations applied in registers. */
    public enum Activation {
        NONE, RELU, CLAMP, PRELU, HSWISH,
        /** {@code 1 / (exp(-v) + 1)} with a generated {@code exp} (Cephes' expf polynomial). */
        SIGMOID,
        /** {@code v < 0 ? alpha · (exp(v) - 1) : v}. */
        ELU,
        /** Swish (SiLU with beta 1): {@code v · 1 / (exp(-alpha · v) + 1)}, alpha being swish's beta. */
        SWISH;

        boolean usesExp() {
            return this == SIGMOID || this == ELU || this == SWISH;
        }
    }

    /** Bytes of the two buffer halves up to which a kernel that fills takes turns between them ({@link Key#pingPong}). */
    static final long PING_PONG_BYTES = 16 * 1024;

    /** The most taps generated code takes (11×11); larger kernels run on the Vector API loops. */
    public static final int MAX_TAPS = 121;

    /** Floats per channel in the constants table. */
    public static final int TABLE = 32;
    /**
     * Table entries: the post-op constants ({@link PostOpEmitter#ENTRIES} of them: scale, bias, alpha, beta, 3, 6,
     * 1/6, 0), the AVX2 tail mask (8 floats), then the input's and the output's quantizer (4 floats each: multiplier,
     * offset, highest level bits, rounding constant plus zero point; written by the caller, see {@link Fill#quantize}
     * and {@link Key#codesOut}) and the rounding constant 1.5·2^23 (also the lowest level's bits).
     */
    public static final int T_MASK = PostOpEmitter.ENTRIES, T_IN_Q = 16, T_OUT_Q = 20, T_ROUND = 24;
    /** Offsets inside a quantizer's four entries. */
    private static final int Q_INVERSE = 0, Q_OFFSET = 1, Q_HIGHEST = 2, Q_ROUND_ZERO = 3;
    /** Adding and subtracting 1.5·2^23 rounds to the nearest integer (the quantizers' rounding constant). */
    private static final float ROUND = 12582912f;

    /**
     * How the code fills the buffer's inside from the input plane before computing (else the caller fills it): input
     * row {@code iy}, column phase p goes to buffer element {@code rowTarget[iy] + p · phaseBlock + j} for j in
     * {@code [first[p], end[p])}, reading input column {@code j · sw + shift[p]} (stride-2 rows deinterleaved with
     * {@code vpermt2ps}, or {@code vshufps} + {@code vpermpd} on AVX2). The padding around stays as the caller wrote
     * it. Rows {@code sh} apart must land {@code pitch} apart. With {@code quantize}, each value is replaced by its code
     * under the channel's input quantizer (table entries from {@link #T_IN_Q}) as it is copied, exactly as
     * {@code ActivationQuantizer.quantize}: {@code fma(x, inverse, offset) + ROUND}, the bits clamped to the level
     * range, minus {@code ROUND + zeroPoint}.
     */
    public record Fill(int inH, int inW, int sh, int sw, int phaseBlock, List<Integer> rowTarget,
                       List<Integer> shift, List<Integer> first, List<Integer> end, boolean quantize) {
        /** A fill that copies the values as they are. */
        public Fill(int inH, int inW, int sh, int sw, int phaseBlock, List<Integer> rowTarget, List<Integer> shift,
                    List<Integer> first, List<Integer> end) {
            this(inH, inW, sh, sw, phaseBlock, rowTarget, shift, first, end, false);
        }

        public Fill {
            rowTarget = List.copyOf(rowTarget);
            shift = List.copyOf(shift);
            first = List.copyOf(first);
            end = List.copyOf(end);
            if (sw < 1 || sw > 2 || sh < 1 || shift.size() != sw || first.size() != sw || end.size() != sw) {
                throw new IllegalArgumentException("unsupported depthwise fill: strides " + sh + "×" + sw);
            }
            if (inW < 1 || rowTarget.size() > inH) {
                throw new IllegalArgumentException("depthwise fill reads " + rowTarget.size() + " rows of a " + inH
                        + "×" + inW + " input plane");
            }
            for (int p = 0; p < sw; p++) {
                if (first.get(p) < end.get(p) && (shift.get(p) + first.get(p) * sw < 0
                        || shift.get(p) + (end.get(p) - 1) * sw >= inW)) {
                    throw new IllegalArgumentException("fill phase " + p + " reads outside the input row");
                }
            }
        }

        /** Input elements from the plane's start the fill reads: whole rows. */
        int inputExtent() {
            return rowTarget.size() * inW;
        }

        /** Input elements from one plane's start to the next one's. */
        int inputPlane() {
            return inH * inW;
        }

        /** One past the last buffer element the fill writes. */
        long bufferEnd() {
            long max = 0;
            for (int iy = 0; iy < rowTarget.size(); iy++) {
                for (int p = 0; p < sw; p++) {
                    if (first.get(p) < end.get(p)) {
                        max = Math.max(max, (long) rowTarget.get(iy) + (long) p * phaseBlock + end.get(p));
                    }
                }
            }
            return max;
        }

        /** Whether the generated fill handles this layout (row targets linear in sh-row steps, rows not too wide). */
        static boolean supported(int sw, int pitch, int sh, List<Integer> rowTarget, int lanes, List<Integer> first,
                                 List<Integer> end) {
            if (sw < 1 || sw > 2) {
                return false;
            }
            for (int iy = 0; iy + sh < rowTarget.size(); iy++) {
                if (rowTarget.get(iy + sh) - rowTarget.get(iy) != pitch) {
                    return false;
                }
            }
            int vectors = 0;
            for (int p = 0; p < first.size(); p++) {
                vectors += Math.max(0, (end.get(p) - first.get(p) + lanes - 1) / lanes);
            }
            return vectors <= 128;
        }
    }

    /**
     * Everything the code depends on.
     *
     * @param fill  the buffer fill the code does first, or {@code null} (the caller fills the buffer)
     * @param outH  output rows
     * @param outW  output columns (the output's row length)
     * @param pitch buffer elements per row of output
     * @param taps  per tap, its buffer offset relative to the output's wide index {@code y · pitch + x}
     * @param codesOut after the post-ops, store the codes of the channel's output quantizer (table entries from
     *                 {@link #T_OUT_Q}) instead of the values, quantized in registers exactly as
     *                 {@code ActivationQuantizer.quantize}
     * @param quadsOut with {@code codesOut} (AVX-512 only, no residual): store each code's u8 level
     *                 ({@code code + zeroPoint}) as one byte of a 32-bit lane instead of the code as a float, the
     *                 output's position p at byte {@code 4·p} from the output address, which {@link #runQuads} takes
     *                 in bytes: four channels' planes interleaved into the u8 quads the INT8 tiles read
     *                 ({@code U8S8Conv}), written one byte lane at a time with a byte-masked store
     */
    public record Key(Jit.Isa isa, Fill fill, int outH, int outW, int pitch, List<Integer> taps, boolean scale,
                      boolean bias, boolean residual, Activation activation, boolean codesOut, boolean quadsOut) {
        /** A kernel that stores values. */
        public Key(Jit.Isa isa, Fill fill, int outH, int outW, int pitch, List<Integer> taps, boolean scale,
                   boolean bias, boolean residual, Activation activation) {
            this(isa, fill, outH, outW, pitch, taps, scale, bias, residual, activation, false, false);
        }

        /** A kernel that stores values or codes as floats. */
        public Key(Jit.Isa isa, Fill fill, int outH, int outW, int pitch, List<Integer> taps, boolean scale,
                   boolean bias, boolean residual, Activation activation, boolean codesOut) {
            this(isa, fill, outH, outW, pitch, taps, scale, bias, residual, activation, codesOut, false);
        }

        public Key {
            taps = List.copyOf(taps);
            if (quadsOut && (!codesOut || residual || isa != Jit.Isa.AVX512)) {
                throw new IllegalArgumentException("u8 quads out need codes out, AVX-512 and no residual");
            }
            if (outH < 1 || outW < 1 || pitch < outW || taps.isEmpty() || taps.size() > MAX_TAPS) {
                throw new IllegalArgumentException("unsupported depthwise shape " + outH + "×" + outW + ", pitch "
                        + pitch + ", " + taps.size() + " taps");
            }
            for (int t : taps) {
                if (t < 0) {
                    throw new IllegalArgumentException("negative tap offset " + t);
                }
            }
            if (!fits(isa, outH, outW, pitch, taps.stream().mapToInt(Integer::intValue).max().orElseThrow())) {
                throw new IllegalArgumentException("depthwise plane too large for the generated code: " + outH + "×"
                        + outW + ", pitch " + pitch);
            }
            if (fill != null && (4L * fill.bufferEnd() > Integer.MAX_VALUE / 2 || 4L * fill.inputPlane() > Integer.MAX_VALUE / 2
                    || !Fill.supported(fill.sw(), pitch, fill.sh(), fill.rowTarget(), isa.lanes(), fill.first(),
                    fill.end()))) {
                throw new IllegalArgumentException("unsupported depthwise fill for " + outH + "×" + outW);
            }
        }

        /**
         * Whether a layer of {@code taps} taps (the largest offset {@code maxTap}) and this output fits the generated
         * code: byte offsets within 32 bits, at most {@link #MAX_TAPS} taps (the taps are unrolled).
         */
        public static boolean fits(Jit.Isa isa, int outH, int outW, int pitch, int maxTap) {
            long extent = (long) (outH - 1) * pitch + vectors(isa, outW) * (long) isa.lanes() + maxTap;
            return 4 * extent <= Integer.MAX_VALUE / 2;
        }

        /** Whether the generated code can fill the buffer for this layout (see {@link Fill}). */
        public static boolean fillSupported(Jit.Isa isa, int pitch, int sh, int sw, List<Integer> rowTarget,
                                            List<Integer> first, List<Integer> end) {
            return Fill.supported(sw, pitch, sh, rowTarget, isa.lanes(), first, end);
        }

        /** Buffer elements from the plane's start that the code reads or writes. */
        public int bufferExtent() {
            int maxTap = taps.stream().mapToInt(Integer::intValue).max().orElseThrow();
            int read = (outH - 1) * pitch + vectors(isa, outW) * isa.lanes() + maxTap;
            return fill == null ? read : (int) Math.max(read, fill.bufferEnd());
        }

        /**
         * Whether a kernel that fills computes runs of planes ({@link #runPlanes}), copying the next plane into the
         * buffer's second half while it computes the current one: when both halves fit in {@link #PING_PONG_BYTES},
         * planes of up to about 20×20, where a call per plane and the fill's stores still in the store buffer when
         * the taps load them had cost as much as the plane's arithmetic. Larger planes take one call per plane:
         * with 52×52 planes a second half cost 5–10 %, and a loop over them in one call 5–8 % (CPU time, best of
         * 21 rounds; the planes streaming in and out, the halves and the stores of one plane meeting the next
         * plane's fill). Raised from 4 KB to 16 KB (planes up to about 43×43): INT8 layers on codes and FP32 NCHW
         * layers on 24×24–40×40 planes and 28×28 5×5 took 10–20 % less CPU time (Int8DepthwiseCpuTime).
         */
        public boolean pingPong() {
            return fill != null && 8L * bufferExtent() <= PING_PONG_BYTES;
        }

        /**
         * Where the second half of the buffer starts ({@link #pingPong}): the extent rounded up to a cache line,
         * plus one.
         */
        public int bufferHalf() {
            return (bufferExtent() + 15) / 16 * 16 + 16;
        }

        /** Buffer elements from the buffer's start that the code reads or writes: both halves with ping-pong. */
        public int bufferLength() {
            return pingPong() ? bufferHalf() + bufferExtent() : bufferExtent();
        }

        boolean hasPost() {
            return scale || bias || residual || activation != Activation.NONE || codesOut;
        }
    }

    private static int vectors(Jit.Isa isa, int outW) {
        return (outW + isa.lanes() - 1) / isa.lanes();
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    /**
     * Constants of the fill: the lane indexes 0, 2, … 30 (AVX-512 {@code vpermt2ps}: the even lanes of two vectors),
     * then for c = 0…8 an AVX2 mask of c leading lanes.
     */
    private static final float[] CONSTS = new float[16 + 8 * 9 + VectorExp.SIZE];
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);
    /** Where the constants of {@link VectorExp} start in {@link #CONSTS}. */
    private static final int EXP = 16 + 8 * 9;

    static {
        for (int i = 0; i < 16; i++) {
            CONSTS[i] = Float.intBitsToFloat(2 * i);
        }
        for (int c = 0; c <= 8; c++) {
            for (int i = 0; i < 8; i++) {
                CONSTS[16 + 8 * c + i] = Float.intBitsToFloat(i < c ? -1 : 0);
            }
        }
        System.arraycopy(VectorExp.constants(), 0, CONSTS, EXP, VectorExp.SIZE);
    }

    private final Key key;
    private final int extent;
    /** {@link Key#bufferLength} and {@link Key#pingPong}, computed once (the key computes them from its lists). */
    private final int length;
    private final boolean pingPong;
    private final int planeSize;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public DepthwiseKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.extent = key.bufferExtent();
        this.length = key.bufferLength();
        this.pingPong = key.pingPong();
        this.planeSize = key.outH() * key.outW();
    }

    public Key key() {
        return key;
    }

    /** Whether one call computes runs of planes ({@link Key#pingPong}, {@link #runPlanes}). */
    public boolean runsPlanes() {
        return pingPong;
    }

    /**
     * Whether the code fills the buffer group by group of output rows as it computes them ({@link #emitStreaming}):
     * a kernel that fills, one plane per call, unless {@code -Dinfero.jit.depthwiseStreaming=off}.
     */
    public boolean streams() {
        return streams(key, plan(key));
    }

    /** Whether the code fills the buffer from the input itself ({@link #run} with the input plane). */
    public boolean fills() {
        return key.fill() != null;
    }

    /** The table entries for one channel (the AVX2 tail mask included). */
    public void fillTable(float[] table, int off, float scale, float bias, float alpha, float beta) {
        PostOpEmitter.fill(table, off, scale, bias, alpha, beta);
        table[off + T_ROUND] = ROUND;
        int tail = key.outW() % isa.lanes();
        for (int i = 0; i < 8; i++) {
            table[off + T_MASK + i] = Float.intBitsToFloat(i < tail ? -1 : 0);
        }
    }

    /**
     * Computes one output plane at {@code out[outOff..]} ({@code outH · outW} elements) from the buffer at
     * {@code buf[bufOff..]}, the taps' weights at {@code weights[wOff..]}, the residual at the output's offsets and
     * the channel's constants at {@code table[tableOff..]}. Every extent is checked first.
     */
    public void run(float[] buf, int bufOff, float[] weights, int wOff, float[] out, int outOff, float[] residual,
                    float[] table, int tableOff) {
        if (fills()) {
            throw new IllegalStateException("this depthwise kernel fills its buffer: run it with the input");
        }
        call(NONE, 0, buf, bufOff, weights, wOff, out, outOff, residual, table, tableOff, 1);
    }

    /**
     * {@link #run} with the buffer's inside first filled from the input plane at {@code in[inOff..]} (a kernel with
     * a {@link Fill}).
     */
    public void run(float[] in, int inOff, float[] buf, int bufOff, float[] weights, int wOff, float[] out,
                    int outOff, float[] residual, float[] table, int tableOff) {
        runPlanes(in, inOff, buf, bufOff, weights, wOff, out, outOff, residual, table, tableOff, 1);
    }

    /**
     * {@code planes} consecutive planes of a kernel with a {@link Fill} in one call (more than one only with
     * {@link Key#pingPong}): plane i reads the input at
     * {@code in[inOff + i · inH · inW..]}, the weights at {@code wOff + i · taps}, the table at
     * {@code tableOff + i · TABLE} and writes {@code out[outOff + i · outH · outW..]} (the residual at the same
     * offsets). The buffer's two halves ({@link Key#bufferHalf}) take turns: the next plane is copied into one while
     * the other is computed (one plane needs only the first half).
     */
    public void runPlanes(float[] in, int inOff, float[] buf, int bufOff, float[] weights, int wOff, float[] out,
                          int outOff, float[] residual, float[] table, int tableOff, int planes) {
        if (!fills()) {
            throw new IllegalStateException("this depthwise kernel does not fill its buffer");
        }
        if (planes < 1 || planes > 1 && !pingPong) {
            throw new IllegalArgumentException("depthwise planes " + planes + " (several only with ping-pong)");
        }
        checkRange("input", in.length, inOff, (long) inOff + (long) (planes - 1) * key.fill().inputPlane()
                + key.fill().inputExtent());
        call(in, inOff, buf, bufOff, weights, wOff, out, outOff, residual, table, tableOff, planes);
    }

    /**
     * {@link #run} (with the input plane {@code in[inOff..]} when the kernel fills its buffer, else {@code in} is
     * ignored) for a kernel with {@link Key#quadsOut}: {@code outByte} is the byte offset in {@code out}'s memory of
     * position 0's byte; position p's u8 level goes to byte {@code outByte + 4·p}, no other byte is written.
     */
    public void runQuads(float[] in, int inOff, float[] buf, int bufOff, float[] weights, int wOff, float[] out,
                         long outByte, float[] table, int tableOff) {
        runQuadsPlanes(in, inOff, buf, bufOff, weights, wOff, out, outByte, table, tableOff, 1);
    }

    /**
     * {@link #runQuads} for {@code planes} consecutive channels of one image in one call (more than one only with
     * {@link Key#pingPong}, as {@link #runPlanes}): plane i reads the input, weights and table as {@link #runPlanes}
     * and writes the bytes of channel {@code c + i}, where {@code c % 4 = outByte mod 4}: byte {@code (c + i) % 4} of
     * quad plane {@code (c + i) / 4}, the quad planes {@code 4 · outH · outW} bytes apart.
     */
    public void runQuadsPlanes(float[] in, int inOff, float[] buf, int bufOff, float[] weights, int wOff,
                               float[] out, long outByte, float[] table, int tableOff, int planes) {
        if (!key.quadsOut()) {
            throw new IllegalStateException("this depthwise kernel does not write u8 quads");
        }
        if (planes < 1 || planes > 1 && !pingPong) {
            throw new IllegalArgumentException("depthwise planes " + planes + " (several only with ping-pong)");
        }
        if (fills()) {
            checkRange("input", in.length, inOff, (long) inOff + (long) (planes - 1) * key.fill().inputPlane()
                    + key.fill().inputExtent());
        }
        // The floats holding the bytes written: from the first plane's first byte to the last plane's last byte.
        int phase = (int) Math.floorMod(outByte, 4L);
        long lastPlane = outByte - phase + 4L * planeSize * ((phase + planes - 1) / 4) + (phase + planes - 1) % 4;
        checkRange("output", out.length, Math.floorDiv(outByte, 4),
                Math.floorDiv(lastPlane + 4L * (planeSize - 1), 4) + 1);
        call(fills() ? in : NONE, fills() ? inOff : 0, buf, bufOff, weights, wOff, out, outByte, null, table,
                tableOff, planes);
    }

    private void call(float[] in, int inOff, float[] buf, int bufOff, float[] weights, int wOff, float[] out,
                      long outOff, float[] residual, float[] table, int tableOff, int planes) {
        checkRange("buffer", buf.length, bufOff, (long) bufOff + (planes > 1 ? length : extent));
        checkRange("weights", weights.length, wOff, (long) wOff + (long) planes * key.taps().size());
        long outputs = (long) planes * planeSize;
        if (!key.quadsOut()) {
            checkRange("output", out.length, outOff, outOff + outputs);
        }
        checkRange("table", table.length, tableOff, (long) tableOff + (long) planes * TABLE);
        float[] res = NONE;
        if (key.residual()) {
            checkRange("residual", residual.length, outOff, outOff + outputs);
            res = residual;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(buf), s.of(weights), s.of(out), s.of(res),
                    s.of(table), (long) bufOff, (long) wOff, outOff, (long) tableOff,
                    s.of(in), (long) inOff, CONSTS_SEGMENT, (long) planes);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    private static final Gp BUF = RDI, W = RSI, OUT = RDX, RES = RCX, TBL = R8, B_CUR = R9, O_CUR = R10,
            R_CUR = R11, X_COUNT = RBX, Y_COUNT = RAX;

    /** The register plan of one layer's code. */
    private record Plan(Jit.Isa isa, int rows, int cols, boolean weightsInRegisters, int temps, int lag) {
        int bits() {
            return isa.bits();
        }

        Vec acc(int r, int x) {
            return vec(r * cols + x, bits());
        }

        Vec temp(int i) {
            return vec(rows * cols + i, bits());
        }

        Vec weight(int t, int taps) {
            return vec(isa.registers() - taps + t, bits());
        }
    }

    private static Plan plan(Key key) {
        Jit.Isa isa = key.isa();
        int taps = key.taps().size();
        int v = vectors(isa, key.outW());
        int cols;
        int rows;
        boolean inRegs;
        if (isa == Jit.Isa.AVX512) {
            cols = Math.min(3, v);
            rows = Math.min(key.outH(), cols == 1 ? 8 : cols == 2 ? 6 : 4);
            inRegs = rows * cols + Math.max(3, cols + 1) + taps <= 32;
        } else {
            cols = Math.min(2, v);
            rows = Math.min(key.outH(), cols == 1 ? 4 : 2);
            inRegs = rows * cols + Math.max(3, cols + 1) + taps <= 16;
            if (!inRegs) {
                rows = Math.min(key.outH(), 4);
            }
        }
        int temps = Math.max(3, cols + 1);
        if (key.activation().usesExp()) {
            // exp needs four registers besides the accumulator.
            temps = Math.max(4, cols + 1);
            inRegs = rows * cols + temps + taps <= isa.registers();
            if (!inRegs && isa == Jit.Isa.AVX2) {
                rows = Math.min(key.outH(), 4);
                cols = Math.min(2, v);
            }
        }
        return new Plan(isa, rows, cols, inRegs, temps, lag(key));
    }

    /**
     * The smallest tap distance m with {@code taps[t + m] - taps[t] == pitch} for every t (the tap one output row
     * further down reads the same buffer row), or 0 when there is none: then all rows of a block run the same tap.
     */
    private static int lag(Key key) {
        List<Integer> taps = key.taps();
        for (int m = 1; m < taps.size(); m++) {
            boolean all = true;
            for (int t = 0; t + m < taps.size() && all; t++) {
                all = taps.get(t + m) - taps.get(t) == key.pitch();
            }
            if (all) {
                return m;
            }
        }
        return 0;
    }

    /** Stack argument {@code i} after the pushes of the prologue. */
    private static Mem arg(int i) {
        return mem(RSP, 8 + 8 * SAVED.length + 8 * i);
    }

    private static final int W_OFF = 0, OUT_OFF = 1, TABLE_OFF = 2, IN = 3, IN_OFF = 4, CONSTS_ARG = 5, COUNT = 6;

    /**
     * {@code void f(float* buf, float* w, float* out, float* res, float* table, long bufOff, long wOff, long outOff,
     * long tableOff, float* in, long inOff, float* consts, long planes)}.
     */
    static byte[] generate(Key key) {
        Plan p = plan(key);
        int[] streamed = streamedNeed(key, p);
        Jit.Isa isa = key.isa();
        int lanes = isa.lanes();
        int vb = isa.bits() / 8;
        int taps = key.taps().size();
        int v = vectors(isa, key.outW());
        boolean tail = key.outW() % lanes != 0;
        boolean fill = key.fill() != null;
        Assembler as = new Assembler();
        for (Gp r : SAVED) {
            as.push(r);
        }
        as.offsetFloats(R9, BUF);
        as.offsetFloats(arg(W_OFF), Y_COUNT, W);
        if (key.quadsOut()) {
            // u8 quads: the output offset is in bytes.
            as.mov(Y_COUNT, arg(OUT_OFF));
            as.lea(OUT, mem(OUT, Y_COUNT, 1, 0));
            // No residual: its register holds the channel's byte in its quad (c % 4, the output offset's low bits),
            // which the plane loop steps (see advanceQuads).
            as.mov(QUAD_PHASE, Y_COUNT);
            as.and(QUAD_PHASE, 3);
        } else {
            as.offsetFloats(arg(OUT_OFF), Y_COUNT, OUT, RES);
        }
        as.offsetFloats(arg(TABLE_OFF), Y_COUNT, TBL);
        as.mov(CONSTS_REG, arg(CONSTS_ARG));
        if (isa == Jit.Isa.AVX512 && tail) {
            as.mov(Y_COUNT, (1L << (key.outW() % lanes)) - 1);
            as.kmovw(k(1), Y_COUNT);
        }
        if (key.quadsOut()) {
            // Byte 0 of each 32-bit lane: all 16 lanes, and the row's last vector's lanes.
            as.mov(Y_COUNT, QUAD_BYTES);
            as.kmovq(QUADS, Y_COUNT);
            as.mov(Y_COUNT, tail ? QUAD_BYTES & ((1L << (4 * (key.outW() % lanes))) - 1) : QUAD_BYTES);
            as.kmovq(QUADS_TAIL, Y_COUNT);
        }
        Assembler.Label planeLoop = as.newLabel();
        if (fill) {
            as.mov(TMP, arg(IN_OFF));
            as.mov(IN_NEXT, arg(IN));
            as.lea(IN_NEXT, mem(IN_NEXT, TMP, 4, 0));
            as.mov(BUF_CUR, BUF);
            if (key.pingPong()) {
                // Planes one after another: plane i + 1 is copied into the other half of the buffer before plane i
                // is computed, so its stores have left the store buffer when its taps load them.
                as.lea(BUF_NEXT, mem(BUF, 4 * key.bufferHalf()));
                as.mov(PLANES, arg(COUNT));
                emitFill(as, key, BUF_CUR, 0);
                as.bind(planeLoop);
                Assembler.Label computeNow = as.newLabel();
                as.dec(PLANES);
                as.jcc(Assembler.Cond.E, computeNow);
                emitFill(as, key, BUF_NEXT, 4 * TABLE);
                as.bind(computeNow);
            } else if (streamed == null) {
                // One plane per call (see Key.pingPong).
                emitFill(as, key, BUF_CUR, 0);
            }
            as.mov(BUF, BUF_CUR);
        }
        int advanced;
        if (streamed != null) {
            advanced = emitStreaming(as, key, p, streamed, v, tail, vb);
        } else {
            broadcastWeights(as, p, taps);
            int groups = key.outH() / p.rows();
            int rem = key.outH() % p.rows();
            advanced = emitRows(as, key, p, p.rows(), groups, rem > 0, v, tail, vb, null);
            if (rem > 0) {
                advanced += emitRows(as, key, p, rem, 1, false, v, tail, vb, null);
            }
        }
        if (key.pingPong()) {
            // The next plane's output, residual, weights and constants; the buffer halves swap.
            if (key.quadsOut()) {
                advanceQuads(as, key, advanced);
            } else {
                int planeBytes = 4 * key.outH() * key.outW() - 4 * advanced * key.outW();
                if (planeBytes != 0) {
                    as.add(OUT, planeBytes);
                    as.add(RES, planeBytes);
                }
            }
            as.add(W, 4 * taps);
            as.add(TBL, 4 * TABLE);
            as.mov(TMP, BUF_CUR);
            as.mov(BUF_CUR, BUF_NEXT);
            as.mov(BUF_NEXT, TMP);
            as.test(PLANES, PLANES);
            as.jcc(Assembler.Cond.NE, planeLoop);
        }
        as.vzeroupper();
        for (int i = SAVED.length - 1; i >= 0; i--) {
            as.pop(SAVED[i]);
        }
        as.ret();
        return as.code();
    }

    /**
     * Moves {@link #OUT} from the row the plane's code left it at to the next channel's first byte in the u8 quads:
     * the next byte of the same lanes, or after channel 4q + 3 byte 0 of quad plane q + 1 ({@code 4 · outH · outW}
     * bytes on from plane q's); {@link #QUAD_PHASE} counts the byte.
     */
    private static void advanceQuads(Assembler as, Key key, int advanced) {
        int back = 4 * advanced * key.outW();
        if (back != 0) {
            as.sub(OUT, back);
        }
        Assembler.Label sameQuad = as.newLabel();
        as.inc(QUAD_PHASE);
        as.cmp(QUAD_PHASE, 4);
        as.jcc(Assembler.Cond.NE, sameQuad);
        as.xor(QUAD_PHASE, QUAD_PHASE);
        as.add(OUT, 4 * key.outH() * key.outW() - 4);
        as.bind(sameQuad);
        as.inc(OUT);
    }

    /** With u8 quads out (no residual, so the residual's register is free): the plane's byte in its quad, 0–3. */
    private static final Gp QUAD_PHASE = RES;

    /** Opmasks of the u8-quad stores ({@link Key#quadsOut}): byte 0 of every lane, of the last vector's lanes. */
    private static final Mask QUADS = k(5), QUADS_TAIL = k(6);
    private static final long QUAD_BYTES = 0x1111111111111111L;

    private static final Gp CONSTS_REG = R12, SRC = R10, DST = R11, ROWS = RBX, TMP = RAX;
    /**
     * Registers of the plane loop (kernels that fill): planes left, the next plane's input, the buffer half of the
     * plane computed now and the other half.
     */
    private static final Gp PLANES = R13, IN_NEXT = R14, BUF_CUR = R15, BUF_NEXT = RBP;
    /** Callee-saved registers the code uses, pushed in the prologue. */
    private static final Gp[] SAVED = {RBX, R12, R13, R14, R15, RBP};

    /**
     * The buffer fill of the plane at {@link #IN_NEXT} into the buffer half at {@code buffer}: per input row and
     * column phase, {@link #copyPhaseRow}; rows sh apart in one loop, the plane's input quantizer at {@code tableDisp}
     * bytes from {@link #TBL}. Moves {@link #IN_NEXT} to the next plane.
     */
    private static void emitFill(Assembler as, Key key, Gp buffer, int tableDisp) {
        Fill f = key.fill();
        Jit.Isa isa = key.isa();
        fillConstants(as, key, tableDisp);
        int rows = f.rowTarget().size();
        for (int q = 0; q < f.sh() && q < rows; q++) {
            int count = (rows - q + f.sh() - 1) / f.sh();
            as.lea(SRC, mem(IN_NEXT, 4 * q * f.inW()));
            as.lea(DST, mem(buffer, 4 * f.rowTarget().get(q)));
            Assembler.Label loop = as.newLabel();
            if (count > 1) {
                as.mov(ROWS, count);
            }
            as.bind(loop);
            for (int p = 0; p < f.sw(); p++) {
                copyPhaseRow(as, isa, f.sw(), 4 * f.shift().get(p), 4 * p * f.phaseBlock(), f.first().get(p),
                        f.end().get(p), f.quantize());
            }
            if (count > 1) {
                as.add(SRC, 4 * f.sh() * f.inW());
                as.add(DST, 4 * key.pitch());
                as.dec(ROWS);
                as.jcc(Assembler.Cond.NE, loop);
            }
        }
        as.add(IN_NEXT, 4 * f.inputPlane());
    }

    /**
     * Whether kernels that fill their buffer and compute one plane per call stream it ({@link #emitStreaming});
     * {@code -Dinfero.jit.depthwiseStreaming=off} copies the whole plane first, as before, for A/B measurements.
     */
    static final boolean STREAMING = !"off".equals(System.getProperty("infero.jit.depthwiseStreaming"));
    /** The most row copies (input rows × column phases × vectors) a streaming kernel unrolls. */
    private static final int STREAM_COPIES = 1536;

    /** Whether {@link #generate} streams the fill for this key and plan ({@link #streamPlan}). */
    private static boolean streams(Key key, Plan p) {
        return streamedNeed(key, p) != null;
    }

    /** {@link #streamPlan} where the code streams its fill (a kernel that fills, one plane per call), else null. */
    private static int[] streamedNeed(Key key, Plan p) {
        return STREAMING && key.fill() != null && !key.pingPong() ? streamPlan(key, p) : null;
    }

    /**
     * Per group of {@code p.rows()} output rows (the last one may be shorter), how many input rows, from the
     * plane's first, must be in the buffer before the group is computed: one past the last input row whose copy an
     * output of the group or of an earlier one reads (lanes past {@code outW} read whatever is there and are not
     * stored). {@code null} when streaming does not pay or would unroll too much: fewer than three groups, or more
     * than {@link #STREAM_COPIES} row copies.
     */
    private static int[] streamPlan(Key key, Plan p) {
        Fill f = key.fill();
        int rowsPerGroup = p.rows();
        int groups = (key.outH() + rowsPerGroup - 1) / rowsPerGroup;
        if (groups < 3) {
            return null;
        }
        int rows = f.rowTarget().size();
        int[] firstReader = new int[rows];
        for (int iy = 0; iy < rows; iy++) {
            int min = Integer.MAX_VALUE;
            for (int ph = 0; ph < f.sw(); ph++) {
                int from = f.rowTarget().get(iy) + ph * f.phaseBlock() + f.first().get(ph);
                int to = f.rowTarget().get(iy) + ph * f.phaseBlock() + f.end().get(ph);
                for (int tap : key.taps()) {
                    for (int d = from; d < to; d++) {
                        int q = d - tap;
                        if (q >= 0 && q % key.pitch() < key.outW() && q / key.pitch() < key.outH()) {
                            min = Math.min(min, q / key.pitch());
                        }
                    }
                }
            }
            firstReader[iy] = min;
        }
        int[] need = new int[groups];
        for (int g = 0; g < groups; g++) {
            int end = Math.min((g + 1) * rowsPerGroup, key.outH());
            for (int iy = 0; iy < rows; iy++) {
                if (firstReader[iy] < end) {
                    need[g] = iy + 1;
                }
            }
        }
        int vectors = 0;
        for (int ph = 0; ph < f.sw(); ph++) {
            vectors += Math.max(0, (f.end().get(ph) - f.first().get(ph) + key.isa().lanes() - 1) / key.isa().lanes());
        }
        int[] loop = streamLoop(key, p, need);
        long copies = (long) need[0] * vectors;
        for (int g = 0; g + 1 < groups; g++) {
            if (g < loop[0] || g >= loop[1] || g == loop[0]) {
                copies += (long) (need[g + 1] - need[g]) * vectors;
            }
        }
        return copies <= STREAM_COPIES ? need : null;
    }

    /**
     * The groups [a, b) that run as one loop: the longest run of full groups, each followed by another, whose
     * fills ({@code need[g]} to {@code need[g + 1]}) are the same rows relative to the group's first (so the same
     * code); the others are emitted one by one.
     */
    private static int[] streamLoop(Key key, Plan p, int[] need) {
        int r = p.rows();
        int sh = key.fill().sh();
        int bestA = 0;
        int bestB = 0;
        int a = 0;
        for (int g = 0; g <= need.length; g++) {
            boolean candidate = g + 1 < need.length && (g + 1) * r <= key.outH();
            boolean same = candidate && g > a && need[g] - g * r * sh == need[a] - a * r * sh
                    && need[g + 1] - g * r * sh == need[a + 1] - a * r * sh;
            if (!same) {
                if (g - a > bestB - bestA) {
                    bestA = a;
                    bestB = g;
                }
                a = g;
                if (!candidate) {
                    a = g + 1;
                }
            }
        }
        return new int[] {bestA, bestB};
    }

    /**
     * Computes the plane group by group while it fills the buffer (a kernel that fills, one plane per call): the
     * input rows the first group reads first, then before each group the rows the next one adds, so each row is
     * copied one group before the taps read it, while it is still in L1 (a whole plane's copy, 38 KB at 96×96, had
     * left L1 by the time the taps reached its rows, and a 1×1 layer cost as much as a 3×3). Group g's code sees the
     * input pointer and the buffer pointer moved on by g groups' rows; the groups whose fills are the same relative
     * to that run as one loop ({@link #streamLoop}). Each fill clobbers the vector registers below the weights and
     * the weights' last, so the weights are broadcast again after it.
     */
    private static int emitStreaming(Assembler as, Key key, Plan p, int[] need, int v, boolean tail, int vb) {
        int[] loop = streamLoop(key, p, need);
        int r = p.rows();
        int groups = need.length;
        int taps = key.taps().size();
        fillConstants(as, key, 0);
        fillRows(as, key, p, 0, need[0], 0);
        int advanced = 0;
        for (int g = 0; g < groups; ) {
            int gg = g;
            Runnable before = () -> {
                as.mov(SAVED_COUNT, Y_COUNT);
                if (gg + 1 < groups && need[gg + 1] > need[gg]) {
                    fillConstants(as, key, 0);
                    fillRows(as, key, p, need[gg], need[gg + 1], gg);
                }
                broadcastWeights(as, p, taps);
                as.add(IN_NEXT, 4 * r * key.fill().sh() * key.fill().inW());
                as.mov(Y_COUNT, SAVED_COUNT);
            };
            if (g == loop[0] && loop[1] - loop[0] > 1) {
                int count = loop[1] - loop[0];
                advanced += emitRows(as, key, p, r, count, true, v, tail, vb, before);
                g += count;
            } else {
                int rows = Math.min(r, key.outH() - g * r);
                advanced += emitRows(as, key, p, rows, 1, g + 1 < groups, v, tail, vb, before);
                g++;
            }
        }
        return advanced;
    }

    /** Register that keeps the group counter while a streaming fill uses {@link #TMP} (free without ping-pong). */
    private static final Gp SAVED_COUNT = PLANES;

    /**
     * Copies input rows [lo, hi) into the buffer, the pointers moved on by {@code g} groups: the input pointer by
     * {@code g · rows · sh} input rows, {@link #BUF} by {@code g · rows} buffer rows.
     */
    private static void fillRows(Assembler as, Key key, Plan p, int lo, int hi, int g) {
        Fill f = key.fill();
        int movedRows = g * p.rows() * f.sh();
        int movedBuffer = g * p.rows() * key.pitch();
        for (int iy = lo; iy < hi; iy++) {
            as.lea(SRC, mem(IN_NEXT, 4 * (iy - movedRows) * f.inW()));
            as.lea(DST, mem(BUF, 4 * (f.rowTarget().get(iy) - movedBuffer)));
            for (int ph = 0; ph < f.sw(); ph++) {
                copyPhaseRow(as, key.isa(), f.sw(), 4 * f.shift().get(ph), 4 * ph * f.phaseBlock(),
                        f.first().get(ph), f.end().get(ph), f.quantize());
            }
        }
    }

    private static void broadcastWeights(Assembler as, Plan p, int taps) {
        if (p.weightsInRegisters()) {
            for (int t = 0; t < taps; t++) {
                as.vbroadcastss(p.weight(t, taps), mem(W, 4 * t));
            }
        }
    }

    /**
     * The fill's registers: the even-lane indexes of stride-2 rows (AVX-512) and the channel's input quantizer (the
     * plane's table at {@code tableDisp} bytes from {@link #TBL}).
     */
    private static void fillConstants(Assembler as, Key key, int tableDisp) {
        Fill f = key.fill();
        Jit.Isa isa = key.isa();
        if (isa == Jit.Isa.AVX512 && f.sw() == 2) {
            as.vmovups(zmm(31), mem(CONSTS_REG));
        }
        if (f.quantize()) {
            // The channel's input quantizer in registers for the whole fill (nothing else is live yet).
            as.vbroadcastss(vec(Q_REGS, isa.bits()), mem(TBL, tableDisp + 4 * (T_IN_Q + Q_INVERSE)));
            as.vbroadcastss(vec(Q_REGS + 1, isa.bits()), mem(TBL, tableDisp + 4 * (T_IN_Q + Q_OFFSET)));
            as.vbroadcastss(vec(Q_REGS + 2, isa.bits()), mem(TBL, tableDisp + 4 * (T_ROUND)));
            as.vbroadcastss(vec(Q_REGS + 3, isa.bits()), mem(TBL, tableDisp + 4 * (T_IN_Q + Q_HIGHEST)));
            as.vbroadcastss(vec(Q_REGS + 4, isa.bits()), mem(TBL, tableDisp + 4 * (T_IN_Q + Q_ROUND_ZERO)));
        }
    }

    /**
     * {@code buf[DST + dstDisp + j] = in[SRC + srcDisp + j · sw]} for j in [first, end), a vector at a time; the last
     * vector loads and stores only its lanes (opmasks, or AVX2 masks from the constants), so nothing outside the
     * row is read or written.
     */
    private static void copyPhaseRow(Assembler as, Jit.Isa isa, int sw, int srcDisp, int dstDisp, int first,
                                     int end, boolean quantize) {
        int lanes = isa.lanes();
        int vb = isa.bits() / 8;
        boolean evex = isa.evex();
        Vec t0 = vec(0, isa.bits());
        Vec t1 = vec(1, isa.bits());
        Vec t2 = vec(2, isa.bits());
        int n = end - first;
        for (int v = 0; v * lanes < n; v++) {
            int j = first + v * lanes;
            int m = Math.min(lanes, n - v * lanes);
            boolean last = (v + 1) * lanes >= n;
            Mem src = mem(SRC, srcDisp + 4 * j * sw);
            Mem dst = mem(DST, dstDisp + 4 * j);
            if (sw == 1) {
                if (m == lanes) {
                    as.vmovups(t0, src);
                    quantizeFilled(as, isa, quantize, t0);
                    as.vmovups(dst, t0);
                } else if (evex) {
                    setMask(as, 3, m);
                    as.vmovups(t0.k(k(3)).z(), src);
                    quantizeFilled(as, isa, quantize, t0);
                    as.vmovups(dst.k(k(3)), t0);
                } else {
                    as.vmovups(t2, avx2Mask(m));
                    as.vmaskmovps(t0, t2, src);
                    quantizeFilled(as, isa, quantize, t0);
                    as.vmaskmovps(dst, t2, t0);
                }
                continue;
            }
            if (!last) {
                // The two vectors end one element before the last column this row reads: inside the row.
                as.vmovups(t0, src);
                if (evex) {
                    as.vpermt2ps(t0, zmm(31), src.plus(vb));
                } else {
                    as.vshufps(t0, t0, src.plus(vb), 0x88);
                    as.vpermpd(t0, t0, 0xD8);
                }
                quantizeFilled(as, isa, quantize, t0);
                as.vmovups(dst, t0);
                continue;
            }
            int need = 2 * m - 1;
            int a = Math.min(lanes, need);
            int b = need - a;
            if (evex) {
                setMask(as, 3, a);
                as.vmovups(t0.k(k(3)).z(), src);
                if (b > 0) {
                    setMask(as, 4, b);
                    as.vmovups(t1.k(k(4)).z(), src.plus(vb));
                } else {
                    as.vpxord(t1, t1, t1);
                }
                as.vpermt2ps(t0, zmm(31), t1);
                quantizeFilled(as, isa, quantize, t0);
                if (m == lanes) {
                    as.vmovups(dst, t0);
                } else {
                    setMask(as, 3, m);
                    as.vmovups(dst.k(k(3)), t0);
                }
            } else {
                as.vmovups(t2, avx2Mask(a));
                as.vmaskmovps(t0, t2, src);
                if (b > 0) {
                    as.vmovups(t2, avx2Mask(b));
                    as.vmaskmovps(t1, t2, src.plus(vb));
                } else {
                    as.vxorps(t1, t1, t1);
                }
                as.vshufps(t0, t0, t1, 0x88);
                as.vpermpd(t0, t0, 0xD8);
                quantizeFilled(as, isa, quantize, t0);
                if (m == lanes) {
                    as.vmovups(dst, t0);
                } else {
                    as.vmovups(t2, avx2Mask(m));
                    as.vmaskmovps(dst, t2, t0);
                }
            }
        }
    }

    /** First of the five registers that hold the input quantizer during a quantizing fill. */
    private static final int Q_REGS = 3;

    /**
     * {@code v} replaced by its codes under the input quantizer held in registers {@link #Q_REGS}..+4, as
     * {@code ActivationQuantizer.quantize}: multiply-add, add the rounding constant, clamp the bits to the level range
     * (signed integer max/min: the levels are a range of the sum's bit patterns), subtract rounding constant plus zero
     * point.
     */
    private static void quantizeFilled(Assembler as, Jit.Isa isa, boolean quantize, Vec v) {
        if (!quantize) {
            return;
        }
        int bits = isa.bits();
        as.vfmadd213ps(v, vec(Q_REGS, bits), vec(Q_REGS + 1, bits));
        as.vaddps(v, v, vec(Q_REGS + 2, bits));
        as.vpmaxsd(v, v, vec(Q_REGS + 2, bits));
        as.vpminsd(v, v, vec(Q_REGS + 3, bits));
        as.vsubps(v, v, vec(Q_REGS + 4, bits));
    }

    private static void setMask(Assembler as, int k, int lanes) {
        as.mov(TMP, (1L << lanes) - 1);
        as.kmovw(k(k), TMP);
    }

    /** The AVX2 mask of {@code c} leading lanes in the constants. */
    private static Mem avx2Mask(int c) {
        return mem(CONSTS_REG, 4 * (16 + 8 * c));
    }

    /**
     * {@code count} groups of {@code rows} output rows; {@code advanceAfter}: move the row pointers past the last.
     * Returns the output rows the row pointers moved by.
     */
    private static int emitRows(Assembler as, Key key, Plan p, int rows, int count, boolean advanceAfter, int v,
                                boolean tail, int vb, Runnable before) {
        if (count == 0) {
            return 0;
        }
        int fullVectors = key.outW() / p.isa().lanes();
        int blocks = fullVectors / p.cols();
        int tailVectors = v - blocks * p.cols();
        Assembler.Label rowLoop = as.newLabel();
        if (count > 1) {
            as.mov(Y_COUNT, count);
        }
        as.bind(rowLoop);
        if (before != null) {
            before.run();
        }
        as.mov(B_CUR, BUF);
        as.mov(O_CUR, OUT);
        as.mov(R_CUR, RES);
        if (blocks > 0) {
            Assembler.Label colLoop = as.newLabel();
            if (blocks > 1) {
                as.mov(X_COUNT, blocks);
            }
            as.bind(colLoop);
            emitBlock(as, key, p, rows, p.cols(), false, vb);
            if (blocks > 1 || tailVectors > 0) {
                as.add(B_CUR, p.cols() * vb);
                as.add(O_CUR, p.cols() * vb);
                as.add(R_CUR, p.cols() * vb);
            }
            if (blocks > 1) {
                as.dec(X_COUNT);
                as.jcc(Assembler.Cond.NE, colLoop);
            }
        }
        if (tailVectors > 0) {
            emitBlock(as, key, p, rows, tailVectors, tail, vb);
        }
        if (count > 1 || advanceAfter) {
            as.add(BUF, 4 * rows * key.pitch());
            as.add(OUT, 4 * rows * key.outW());
            if (!key.quadsOut()) {
                as.add(RES, 4 * rows * key.outW());
            }
        }
        if (count > 1) {
            as.dec(Y_COUNT);
            as.jcc(Assembler.Cond.NE, rowLoop);
        }
        return count > 1 || advanceAfter ? count * rows : 0;
    }

    /**
     * One block: {@code rows × cols} output vectors at the cursors, summed over all taps in the skewed order, then
     * post-ops and stores (the last vector of each row under the tail mask when {@code maskLast}).
     */
    private static void emitBlock(Assembler as, Key key, Plan p, int rows, int cols, boolean maskLast, int vb) {
        List<Integer> taps = key.taps();
        int n = taps.size();
        boolean evex = p.isa().evex();
        int lag = p.lag();
        int steps = n + (rows - 1) * lag;
        for (int s = 0; s < steps; s++) {
            // Rows active at this step, grouped by the buffer element they read (in order of first use).
            Map<Integer, List<int[]>> groups = new LinkedHashMap<>();
            for (int r = 0; r < rows; r++) {
                int t = s - r * lag;
                if (lag == 0) {
                    t = s;
                }
                if (t < 0 || t >= n) {
                    continue;
                }
                groups.computeIfAbsent(r * key.pitch() + taps.get(t), a -> new ArrayList<>()).add(new int[] {r, t});
            }
            for (Map.Entry<Integer, List<int[]>> g : groups.entrySet()) {
                int address = 4 * g.getKey();
                for (int x = 0; x < cols; x++) {
                    as.vmovups(p.temp(x), mem(B_CUR, address + x * vb));
                }
                for (int[] member : g.getValue()) {
                    int r = member[0];
                    int t = member[1];
                    Operand w;
                    if (p.weightsInRegisters()) {
                        w = p.weight(t, n);
                    } else if (evex) {
                        w = mem(W, 4 * t).bcst();
                    } else {
                        Vec wt = p.temp(cols);
                        as.vbroadcastss(wt, mem(W, 4 * t));
                        w = wt;
                    }
                    for (int x = 0; x < cols; x++) {
                        if (t == 0) {
                            as.vmulps(p.acc(r, x), p.temp(x), w);
                        } else {
                            as.vfmadd231ps(p.acc(r, x), p.temp(x), w);
                        }
                    }
                }
            }
        }
        Vec t0 = p.temp(0);
        Vec t1 = p.temp(1);
        Vec t2 = p.temp(2);
        PostOpEmitter post = new PostOpEmitter(evex, i -> mem(TBL, 4 * i), new VectorExp(CONSTS_REG, EXP, evex), k(2));
        Mem avx2Mask = mem(TBL, 4 * T_MASK);
        for (int r = 0; r < rows; r++) {
            for (int x = 0; x < cols; x++) {
                Vec acc = p.acc(r, x);
                boolean masked = maskLast && x == cols - 1;
                int off = 4 * r * key.outW() + x * vb;
                post.apply(as, acc, key.scale(), key.bias(), key.residual() ? mem(R_CUR, off) : null,
                        key.activation(), masked, avx2Mask, t0, t1, t2, p.temp(3));
                if (key.codesOut()) {
                    // The output quantizer's codes, as ActivationQuantizer.quantize (see quantizeFilled).
                    as.vbroadcastss(t0, mem(TBL, 4 * (T_OUT_Q + Q_INVERSE)));
                    as.vfmadd213ps(acc, t0, post.constant(as, T_OUT_Q + Q_OFFSET, t1));
                    Operand round = post.constant(as, T_ROUND, t0);
                    as.vaddps(acc, acc, round);
                    as.vpmaxsd(acc, acc, round);
                    as.vpminsd(acc, acc, post.constant(as, T_OUT_Q + Q_HIGHEST, t1));
                    if (key.quadsOut()) {
                        // The bits are ROUND's plus the level: its low byte is the u8 level.
                        as.vmovdqu8(mem(O_CUR, off).k(masked ? QUADS_TAIL : QUADS), acc);
                        continue;
                    }
                    as.vsubps(acc, acc, post.constant(as, T_OUT_Q + Q_ROUND_ZERO, t1));
                }
                post.store(as, mem(O_CUR, off), acc, masked, avx2Mask, t2);
            }
        }
    }
}
