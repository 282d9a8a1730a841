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

/**
 * A generated direct FP32 convolution for layers with few input channels (detector stems: 3 channels, 3×3 to 7×7,
 * stride 1 or 2), reading the NCHW input in place and writing NCHW output rows, without im2col.
 *
 * <p>Output columns in the vector lanes: a register block holds {@code ob} output channels × {@code xv} vectors of
 * consecutive output pixels of one row (AVX-512 8 × 3 × 16, AVX2 6 × 2 × 8). For each input channel (a loop) and
 * tap (unrolled), each vector of input pixels is loaded once — stride 2 as two loads de-interleaved into their even
 * lanes ({@code vpermt2ps}, AVX2 {@code vshufps} + {@code vpermpd}) — and feeds {@code ob} FMAs with the tap's weight
 * of each channel broadcast. Every accumulator is a run of one output channel's row, so after the post-ops in
 * registers (scale, bias, residual, ReLU, clamp, leaky ReLU / PReLU, HSwish, sigmoid, swish, ELU: as
 * {@link DepthwiseKernel}, bit for bit as {@code PostOps}) it is stored straight into its NCHW plane.
 *
 * <p>Padding: a call covers output rows whose taps all read the same input rows {@code [kyLo, kyHi)} of the
 * window (the caller cuts the rows of a layer into such runs: top and bottom padding rows get their own keys);
 * columns are known when the code is generated, so the row's first and last segments, whose taps reach past the
 * input row, load under masks computed then (zeros for padding, and no byte outside the row is read), the
 * segments between them in a loop without masks. The last segment stores its last vector under the tail mask.
 *
 * <p>Weights are packed per block of {@code ob} output channels: {@code [cin][kh][kw][ob]}, then {@link #TABLE}
 * floats of post-op constants per channel of the block ({@link #pack}).
 */
public final class DirectConvKernel extends JitKernel {
    /** Floats of post-op constants per output channel after each block's weights ({@link PostOpEmitter#fill}). */
    public static final int TABLE = PostOpEmitter.ENTRIES;
    /** Largest kernel side. */
    public static final int MAX_KERNEL = 7;

    /**
     * Everything the code depends on.
     *
     * @param cin     input channels
     * @param inPlane elements per input channel plane
     * @param inW     input row length
     * @param kh      kernel rows (weights are packed for all of them)
     * @param kw      kernel columns
     * @param kyLo    first kernel row these output rows read (earlier ones fall in the top padding)
     * @param kyHi    one past the last kernel row they read
     * @param sh      vertical stride (output rows one call steps over)
     * @param sw      horizontal stride, 1 or 2
     * @param padLeft left padding
     * @param outW    output row length
     * @param outPlane elements per output channel plane
     * @param cout    output channels
     * @param ob      output channels per register block
     * @param xv      vectors of output pixels per register block
     */
    public record Key(Jit.Isa isa, int cin, int inPlane, int inW, int kh, int kw, int kyLo, int kyHi, int sh, int sw,
                      int padLeft, int outW, int outPlane, int cout, int ob, int xv, boolean scale, boolean bias,
                      boolean residual, DepthwiseKernel.Activation activation) {
        public Key {
            if (cin < 1 || kh < 1 || kw < 1 || kh > MAX_KERNEL || kw > MAX_KERNEL || kyLo < 0 || kyHi > kh
                    || sw < 1 || sw > 2 || sh < 1 || padLeft < 0 || outW < 1 || cout < 1 || inW < 1
                    || ob < 1 || xv < 1 || xv > (isa == Jit.Isa.AVX512 ? 3 : 2)
                    || ob * xv > (isa == Jit.Isa.AVX512 ? 24 : 12)) {
                throw new IllegalArgumentException("unsupported direct convolution: " + this);
            }
            long limit = Integer.MAX_VALUE / 2;
            if (4L * inPlane * cin > limit || 4L * outPlane * cout > limit || 4L * sh * inW * kh > limit
                    || inPlane < (long) inW * (kyHi - kyLo) || outPlane < outW) {
                throw new IllegalArgumentException("direct convolution planes too large or inconsistent: " + this);
            }
        }

        /** Taps per input channel that these rows read. */
        int rowsRead() {
            return Math.max(0, kyHi - kyLo);
        }
    }

    /** Output channels per register block and vectors per block for {@code isa}: {ob, xv}. */
    public static int[] blocking(Jit.Isa isa) {
        return isa == Jit.Isa.AVX512 ? new int[] {8, 3} : new int[] {6, 2};
    }

    /**
     * {@link #blocking(Jit.Isa)} for a layer of horizontal stride {@code sw} and {@code cin} input channels. AVX-512
     * stride 2 from 12 input channels: 12 × 2 × 16 (still 24 accumulators), so each de-interleaving
     * {@code vpermt2ps} feeds 12 FMAs instead of 8 (ConvCpuTime, 1 thread, CPU time, 8 × 3 → 12 × 2: 24×104×104→48
     * 3×3/2 0.384 → 0.346 ms, 32×112×112→64 0.782 → 0.726, 32×40×40→64 0.128 → 0.121, 12×208×208→24 0.325 → 0.317,
     * 16×160×160→32 0.324 → 0.323); stems of 3 to 8 channels lost (3×224×224→64 7×7/2 1.215 → 1.346 ms,
     * 8×160×160→16 3×3/2 0.076 → 0.080) and keep 8 × 3.
     */
    public static int[] blocking(Jit.Isa isa, int sw, int cin) {
        if (isa == Jit.Isa.AVX512 && sw == 2 && cin >= 12) {
            return new int[] {12, 2};
        }
        return blocking(isa);
    }

    /** Floats of packed weights and constants for {@code cout} channels of {@code cin·kh·kw} weights each. */
    public static int packedSize(int cout, int cin, int kh, int kw) {
        return cout * (cin * kh * kw + TABLE);
    }

    /**
     * Packs {@code weights} ([cout][cin][kh][kw] as in the op) in blocks of {@code ob} channels (the last one
     * narrower), each followed by its channels' post-op constants ({@code scale}, {@code bias}, {@code alpha} per
     * channel may be null: 1, 0, {@code alpha0}).
     */
    public static float[] pack(float[] weights, int cout, int cin, int kh, int kw, int ob, float[] scale,
                               float[] bias, float[] alpha, float alpha0, float beta) {
        int k = cin * kh * kw;
        float[] p = new float[packedSize(cout, cin, kh, kw)];
        for (int b0 = 0; b0 < cout; b0 += ob) {
            int w = Math.min(ob, cout - b0);
            int base = b0 * (k + TABLE);
            for (int o = 0; o < w; o++) {
                for (int i = 0; i < k; i++) {
                    p[base + i * w + o] = weights[(b0 + o) * k + i];
                }
                int c = b0 + o;
                PostOpEmitter.fill(p, base + k * w + o * TABLE, scale == null ? 1f : scale[c],
                        bias == null ? 0f : bias[c], alpha == null ? alpha0 : alpha[c], beta);
            }
        }
        return p;
    }

    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), Linker.Option.critical(true));
    private static final float[] NONE = new float[0];
    /**
     * Constants: the lane indexes 0, 2, … 30 (AVX-512 {@code vpermt2ps}: the even lanes of two vectors), then for
     * lo, hi in 0…8 the AVX2 mask of lanes [lo, hi) (8 floats each), then {@link VectorExp}'s table.
     */
    private static final float[] CONSTS = new float[16 + 8 * 81 + VectorExp.SIZE];
    /** The constants' segment, made once ({@link HeapSegments}). */
    private static final MemorySegment CONSTS_SEGMENT = MemorySegment.ofArray(CONSTS);
    private static final int EXP = 16 + 8 * 81;

    static {
        for (int i = 0; i < 16; i++) {
            CONSTS[i] = Float.intBitsToFloat(2 * i);
        }
        for (int lo = 0; lo <= 8; lo++) {
            for (int hi = 0; hi <= 8; hi++) {
                for (int i = 0; i < 8; i++) {
                    CONSTS[16 + 8 * (lo * 9 + hi) + i] = Float.intBitsToFloat(i >= lo && i < hi ? -1 : 0);
                }
            }
        }
        System.arraycopy(VectorExp.constants(), 0, CONSTS, EXP, VectorExp.SIZE);
    }

    private final Key key;
    private final int packed;

    /** The kernel for {@code key}, from {@code cache} (generated there the first time). */
    public DirectConvKernel(KernelCache cache, Key key) {
        super(cache, key, key.isa(), () -> generate(key));
        this.key = key;
        this.packed = packedSize(key.cout(), key.cin(), key.kh(), key.kw());
    }

    public Key key() {
        return key;
    }

    /**
     * Computes {@code rows} output rows of all channels: output row r of channel c at
     * {@code out[outOff + c · outPlane + r · outW ..]}, reading input channel i's rows from
     * {@code in[inOff + i · inPlane + r · sh · inW ..]} on (the row of kernel row {@code kyLo}), with the packed
     * weights and constants {@code w} ({@link #pack}) and the residual at the output's offsets. Every extent is
     * checked first.
     */
    public void run(float[] in, int inOff, float[] w, float[] out, int outOff, float[] residual, int rows) {
        if (rows <= 0) {
            return;
        }
        Key k = key;
        if (k.rowsRead() > 0) {
            checkRange("input", in.length, inOff, (long) inOff + (long) (k.cin() - 1) * k.inPlane()
                    + ((long) (rows - 1) * k.sh() + k.rowsRead()) * k.inW());
        }
        checkRange("weights", w.length, 0, packed);
        long outEnd = (long) outOff + (long) (k.cout() - 1) * k.outPlane() + (long) rows * k.outW();
        checkRange("output", out.length, outOff, outEnd);
        float[] res = NONE;
        if (k.residual()) {
            checkRange("residual", residual.length, outOff, outEnd);
            res = residual;
        }
        try {
            HeapSegments s = HeapSegments.current();
            CALL.invokeExact(entry, s.of(in), s.of(w), s.of(out), s.of(res),
                    (long) inOff, (long) outOff, (long) rows, CONSTS_SEGMENT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ code generation

    // Arguments: rdi in, rsi w, rdx out, rcx res, r8 inOff, r9 outOff, [rsp+8] rows, [rsp+16] consts.
    private static final Gp IN_ROW = RDI, W = RSI, OUT_ROW = RDX, RES_ROW = RCX, CI_COUNT = R8, CONSTS_REG = R9,
            Y_COUNT = R10, W_BLK = R11, O_BLK = R12, R_BLK = R13, TMP = R14, W_CI = R15, X_OFF = RBX,
            SEG_COUNT = RBP, I_CI = RAX;
    private static final Gp[] SAVED = {RBX, RBP, R12, R13, R14, R15};
    /** Stack slot (after the pushes and an 8-byte slot) of the end of the full blocks' weights. */
    private static final int W_END_SLOT = 0;

    /** The register plan: accumulators, then input vectors, the weight register, spare temps. */
    private record Plan(Jit.Isa isa, int ob, int xv) {
        int bits() {
            return isa.bits();
        }

        Vec acc(int o, int x) {
            return vec(o * xv + x, bits());
        }

        /** Input vector x (also post-op temporary x). */
        Vec in(int x) {
            return vec(isa == Jit.Isa.AVX512 ? 24 + x : 12 + x, bits());
        }

        Vec weight() {
            return vec(isa == Jit.Isa.AVX512 ? 27 : 14, bits());
        }

        /** AVX2: the load-mask register. */
        Vec mask() {
            return vec(15, bits());
        }

        /** Post-op temporaries (four). */
        Vec temp(int i) {
            if (isa == Jit.Isa.AVX512) {
                return vec(24 + i, bits());
            }
            return vec(12 + i, bits());
        }
    }

    static byte[] generate(Key key) {
        Jit.Isa isa = key.isa();
        boolean evex = isa.evex();
        int ob = Math.min(key.ob(), key.cout());
        Assembler as = new Assembler();
        for (Gp g : SAVED) {
            as.push(g);
        }
        as.sub(RSP, 8);
        int argBase = 8 + 8 * SAVED.length + 8;
        as.mov(Y_COUNT, mem(RSP, argBase));
        as.offsetFloats(R8, IN_ROW);
        as.offsetFloats(R9, OUT_ROW, RES_ROW);
        as.mov(CONSTS_REG, mem(RSP, argBase + 8));
        int k = key.cin() * key.kh() * key.kw();
        int fullBlocks = key.cout() / ob;
        int tailOb = key.cout() % ob;
        int blockBytes = 4 * ob * (k + TABLE);
        as.lea(TMP, mem(W, 4 * ob * (k + TABLE) * fullBlocks));
        as.mov(mem(RSP, W_END_SLOT), TMP);
        if (evex && key.sw() == 2) {
            as.vmovups(zmm(31), mem(CONSTS_REG));
        }
        Assembler.Label rowLoop = as.newLabel();
        as.bind(rowLoop);
        as.mov(W_BLK, W);
        as.mov(O_BLK, OUT_ROW);
        as.mov(R_BLK, RES_ROW);
        if (fullBlocks > 0) {
            Assembler.Label blkLoop = as.newLabel();
            as.bind(blkLoop);
            emitBlock(as, key, new Plan(isa, ob, key.xv()));
            as.add(W_BLK, blockBytes);
            as.add(O_BLK, 4 * ob * key.outPlane());
            as.add(R_BLK, 4 * ob * key.outPlane());
            as.cmp(W_BLK, mem(RSP, W_END_SLOT));
            as.jcc(Assembler.Cond.NE, blkLoop);
        }
        if (tailOb > 0) {
            emitBlock(as, key, new Plan(isa, tailOb, key.xv()));
        }
        as.add(IN_ROW, 4 * key.sh() * key.inW());
        as.add(OUT_ROW, 4 * key.outW());
        as.add(RES_ROW, 4 * key.outW());
        as.dec(Y_COUNT);
        as.jcc(Assembler.Cond.NE, rowLoop);
        as.add(RSP, 8);
        for (int i = SAVED.length - 1; i >= 0; i--) {
            as.pop(SAVED[i]);
        }
        as.vzeroupper();
        as.ret();
        return as.code();
    }

    /**
     * One block of {@code p.ob()} channels along the whole output row: the segments whose loads need masks one by
     * one, those between them in a loop.
     */
    private static void emitBlock(Assembler as, Key key, Plan p) {
        int lanes = key.isa().lanes();
        int segW = lanes * p.xv();
        int segments = (key.outW() + segW - 1) / segW;
        int lo = 0;
        while (lo < segments && !interior(key, lo * segW, p.xv())) {
            lo++;
        }
        int hi = lo;
        while (hi < segments && interior(key, hi * segW, p.xv())) {
            hi++;
        }
        for (int s = 0; s < lo; s++) {
            emitSegmentAt(as, key, p, s * segW);
        }
        if (hi > lo) {
            as.mov(X_OFF, 4L * lo * segW);
            Assembler.Label loop = as.newLabel();
            if (hi - lo > 1) {
                as.mov(SEG_COUNT, hi - lo);
            }
            as.bind(loop);
            emitSegment(as, key, p, p.xv(), -1, 0);
            if (hi - lo > 1) {
                as.add(X_OFF, 4 * segW);
                as.dec(SEG_COUNT);
                as.jcc(Assembler.Cond.NE, loop);
            }
        }
        for (int s = hi; s < segments; s++) {
            emitSegmentAt(as, key, p, s * segW);
        }
    }

    /** Whether a full segment at output column x0 reads only inside the input row (no masks). */
    private static boolean interior(Key key, int x0, int xv) {
        int lanes = key.isa().lanes();
        if (x0 + xv * lanes > key.outW()) {
            return false;
        }
        int first = key.sw() * x0 - key.padLeft();
        int last = key.sw() * (x0 + xv * lanes) - 1 + key.kw() - 1 - key.padLeft();
        return first >= 0 && last < key.inW();
    }

    private static void emitSegmentAt(Assembler as, Key key, Plan p, int x0) {
        int lanes = key.isa().lanes();
        int width = Math.min(p.xv() * lanes, key.outW() - x0);
        int xv = (width + lanes - 1) / lanes;
        as.mov(X_OFF, 4L * x0);
        emitSegment(as, key, p, xv, x0, width - (xv - 1) * lanes);
    }

    /**
     * One register block: {@code xv} vectors of the segment at {@code X_OFF} ({@code x0} its column when the loads
     * need masks, else -1), summed over the input channels and taps, then post-ops and stores ({@code lastLanes}
     * lanes of the last vector when not 0).
     */
    private static void emitSegment(Assembler as, Key key, Plan p, int xv, int x0, int lastLanes) {
        boolean evex = key.isa().evex();
        int lanes = key.isa().lanes();
        int vb = key.isa().vectorBytes();
        int ob = p.ob();
        int sw = key.sw();
        for (int o = 0; o < ob; o++) {
            for (int x = 0; x < xv; x++) {
                VectorExp.zero(as, evex, p.acc(o, x));
            }
        }
        int k = key.cin() * key.kh() * key.kw();
        if (key.rowsRead() > 0) {
            as.mov(I_CI, IN_ROW);
            as.mov(W_CI, W_BLK);
            if (key.cin() > 1) {
                as.mov(CI_COUNT, key.cin());
            }
            Assembler.Label ciLoop = as.newLabel();
            as.bind(ciLoop);
            for (int ky = key.kyLo(); ky < key.kyHi(); ky++) {
                for (int kx = 0; kx < key.kw(); kx++) {
                    boolean[] live = new boolean[xv];
                    boolean any = false;
                    for (int x = 0; x < xv; x++) {
                        int rowDisp = 4 * ((ky - key.kyLo()) * key.inW() + kx - key.padLeft() + sw * lanes * x);
                        live[x] = loadInput(as, key, p, p.in(x), rowDisp, x0 < 0 ? UNMASKED
                                : sw * (x0 + lanes * x) + kx - key.padLeft());
                        any |= live[x];
                    }
                    if (!any) {
                        continue;
                    }
                    int tap = ky * key.kw() + kx;
                    for (int o = 0; o < ob; o++) {
                        Mem wm = mem(W_CI, 4 * (tap * ob + o));
                        Operand w;
                        int liveCount = 0;
                        for (boolean l : live) {
                            liveCount += l ? 1 : 0;
                        }
                        if (evex && liveCount == 1) {
                            w = wm.bcst();
                        } else {
                            as.vbroadcastss(p.weight(), wm);
                            w = p.weight();
                        }
                        for (int x = 0; x < xv; x++) {
                            if (live[x]) {
                                as.vfmadd231ps(p.acc(o, x), p.in(x), w);
                            }
                        }
                    }
                }
            }
            if (key.cin() > 1) {
                as.add(I_CI, 4 * key.inPlane());
                as.add(W_CI, 4 * key.kh() * key.kw() * ob);
                as.dec(CI_COUNT);
                as.jcc(Assembler.Cond.NE, ciLoop);
            }
        }
        // Post-ops and stores.
        int table = 4 * k * ob;
        Vec t0 = p.temp(0);
        Vec t1 = p.temp(1);
        Vec t2 = p.temp(2);
        Vec t3 = p.temp(3);
        VectorExp exp = new VectorExp(CONSTS_REG, EXP, evex);
        if (evex && lastLanes != 0 && lastLanes < lanes) {
            as.mov(TMP, (1L << lastLanes) - 1);
            as.kmovw(k(1), TMP);
        }
        Mem avx2Mask = avx2Mask(0, lastLanes);
        for (int o = 0; o < ob; o++) {
            int tbl = table + 4 * TABLE * o;
            PostOpEmitter post = new PostOpEmitter(evex, i -> mem(W_BLK, tbl + 4 * i), exp, k(2));
            for (int x = 0; x < xv; x++) {
                Vec acc = p.acc(o, x);
                boolean masked = lastLanes != 0 && lastLanes < lanes && x == xv - 1;
                Mem outAt = mem(O_BLK, X_OFF, 1, 4 * o * key.outPlane() + x * vb);
                Mem resAt = mem(R_BLK, X_OFF, 1, 4 * o * key.outPlane() + x * vb);
                post.apply(as, acc, key.scale(), key.bias(), key.residual() ? resAt : null, key.activation(), masked,
                        avx2Mask, t0, t1, t2, t3);
                post.store(as, outAt, acc, masked, avx2Mask, t2);
            }
        }
    }

    /**
     * Loads into {@code dst} the input vector of one tap: {@code lanes} pixels {@code sw} apart from byte
     * {@code rowDisp} past {@code I_CI + sw · X_OFF}. {@code first}: the input column of lane 0 when the loads need
     * masks (lanes outside [0, inW) read as 0, nothing outside the row is read), else {@link #UNMASKED}. Returns false (nothing
     * loaded) when every lane falls in the padding.
     */
    private static boolean loadInput(Assembler as, Key key, Plan p, Vec dst, int rowDisp, int first) {
        boolean evex = key.isa().evex();
        int lanes = key.isa().lanes();
        int vb = key.isa().vectorBytes();
        int sw = key.sw();
        Mem src = mem(I_CI, X_OFF, sw, rowDisp);
        if (first == UNMASKED) {
            if (sw == 1) {
                as.vmovups(dst, src);
            } else if (evex) {
                as.vmovups(dst, src);
                as.vpermt2ps(dst, zmm(31), src.plus(vb));
            } else {
                as.vmovups(dst, src);
                as.vshufps(dst, dst, src.plus(vb), 0x88);
                as.vpermpd(dst, dst, 0xD8);
            }
            return true;
        }
        // Lanes [lo, hi) of each loaded vector lie inside the row.
        int parts = sw;
        int[] lo = new int[parts];
        int[] hi = new int[parts];
        boolean any = false;
        for (int q = 0; q < parts; q++) {
            int start = first + q * lanes;
            lo[q] = Math.clamp(-start, 0, lanes);
            hi[q] = Math.clamp(key.inW() - start, 0, lanes);
            if (hi[q] < lo[q]) {
                hi[q] = lo[q];
            }
            any |= hi[q] > lo[q];
        }
        if (!any) {
            return false;
        }
        Vec second = p.weight();
        for (int q = 0; q < parts; q++) {
            Vec target = q == 0 ? dst : second;
            Mem at = src.plus(q * vb);
            if (hi[q] == lo[q]) {
                VectorExp.zero(as, evex, target);
            } else if (lo[q] == 0 && hi[q] == lanes) {
                as.vmovups(target, at);
            } else if (evex) {
                as.mov(TMP, ((1L << hi[q]) - 1) & ~((1L << lo[q]) - 1));
                as.kmovw(k(3), TMP);
                as.vmovups(target.k(k(3)).z(), at);
            } else {
                as.vmovups(p.mask(), avx2Mask(lo[q], hi[q]));
                as.vmaskmovps(target, p.mask(), at);
            }
        }
        if (sw == 2) {
            if (evex) {
                as.vpermt2ps(dst, zmm(31), second);
            } else {
                as.vshufps(dst, dst, second, 0x88);
                as.vpermpd(dst, dst, 0xD8);
            }
        }
        return true;
    }

    /** {@link #loadInput}'s column for loads without masks. */
    private static final int UNMASKED = Integer.MIN_VALUE;

    /** The AVX2 mask of lanes [lo, hi) in the constants. */
    private static Mem avx2Mask(int lo, int hi) {
        return mem(CONSTS_REG, 4 * (16 + 8 * (lo * 9 + hi)));
    }
}
