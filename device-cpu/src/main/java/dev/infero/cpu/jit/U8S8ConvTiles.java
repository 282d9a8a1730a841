package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.R10;
import static dev.infero.cpu.jit.Asm.R11;
import static dev.infero.cpu.jit.Asm.R12;
import static dev.infero.cpu.jit.Asm.R13;
import static dev.infero.cpu.jit.Asm.R14;
import static dev.infero.cpu.jit.Asm.R15;
import static dev.infero.cpu.jit.Asm.R8;
import static dev.infero.cpu.jit.Asm.R9;
import static dev.infero.cpu.jit.Asm.RAX;
import static dev.infero.cpu.jit.Asm.RBP;
import static dev.infero.cpu.jit.Asm.RBX;
import static dev.infero.cpu.jit.Asm.RCX;
import static dev.infero.cpu.jit.Asm.RDI;
import static dev.infero.cpu.jit.Asm.RDX;
import static dev.infero.cpu.jit.Asm.RSI;
import static dev.infero.cpu.jit.Asm.mem;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Vec;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.U8S8Conv;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * INT8 convolution tiles generated for one layer's {@link U8S8Conv} layout (exact shape, taps, planes and output
 * stride baked in as constants): {@code vpdpbusd} (AVX512_VNNI), u8 activations times s8 weights into int32 lanes.
 * <p>
 * Register tile: {@link U8S8Conv#MR} = 6 output channels × 4 zmm of 16 positions (24 accumulators, 4 activation
 * registers); the six weights of a tap's channel quad are embedded-broadcast memory operands ({@code {1to16}}), so
 * each quad costs 4 loads and 24 {@code vpdpbusd}. Accumulators start at the zero-point compensation; the last tile's
 * positions are stored under opmasks. Per call, for each tile: every 6-channel block (a loop, then one block of the
 * remaining rows), each tap unrolled with a loop over channel quads.
 * <p>
 * Safety: the code receives only segments of Java arrays and of its own off-heap weights, and
 * {@link U8S8Conv#checkCall} checks, before every call, that every element the code reads or writes lies inside
 * them.
 */
public final class U8S8ConvTiles extends JitKernel implements U8S8Conv.Tiles {
    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS), Linker.Option.critical(true));
    /** Post-op mode of the AVX-512 code storing the int32 sums' bits; other modes are {@code PostOps.EPILOGUE_*} flags. */
    private static final int RAW = 0;
    private static final int LANES = U8S8Conv.LANES;
    private static final int VECTORS = U8S8Conv.TILE / LANES;
    private static final int MR = U8S8Conv.MR;
    /**
     * Argument block: in offset, weights offset, compensation offset, out offset (bytes; also the residual's), tiles,
     * last mask, epilogue table offset (bytes), post-op mode.
     */
    private static final int ARGS = 8;
    /**
     * The constants of the generated {@code exp} ({@link VectorExp}) for sigmoid and swish epilogues: process-wide,
     * read-only after this initializer, never freed, so the code addresses them as an immediate.
     */
    private static final MemorySegment EXP_CONSTANTS;

    static {
        float[] c = VectorExp.constants();
        EXP_CONSTANTS = java.lang.foreign.Arena.global().allocate(4L * c.length, 64);
        MemorySegment.copy(c, 0, EXP_CONSTANTS, ValueLayout.JAVA_FLOAT, 0, c.length);
    }

    private final U8S8Conv layout;
    private final MemorySegment weights;
    private final MemorySegment compensation;
    private final int groupWeightBytes;
    private final int groupCompBytes;

    /** Everything the generated code depends on: equal keys, identical code (shared through the kernel cache). */
    private record Key(U8S8Conv.Form form, int rows, int quads, int plane, int ldc, java.util.List<Integer> taps) {
        static Key of(U8S8Conv layout) {
            return new Key(layout.form(), layout.rows(), layout.quads(), layout.plane(), layout.ldc(),
                    java.util.Arrays.stream(layout.tapOffsets()).boxed().toList());
        }
    }

    /** Tiles for {@code layout}'s form, which the CPU must run (see {@link #create}). */
    U8S8ConvTiles(U8S8Conv layout) {
        super(KernelCache.current(), Key.of(layout), layout.form() == U8S8Conv.Form.U8_QUADS ? Jit.Isa.AVX512
                : Jit.Isa.AVX2, () -> layout.form() == U8S8Conv.Form.U8_QUADS ? generate(layout) : generateAvx2(layout));
        this.layout = layout;
        int[] w = layout.packedWeights();
        int[] c = layout.compensation();
        this.weights = PackedWeights.of(w);
        this.compensation = PackedWeights.of(c);
        this.groupWeightBytes = w.length / layout.geometry().groups() * 4;
        this.groupCompBytes = c.length / layout.geometry().groups() * 4;
    }

    /**
     * The layout form the JIT generates tiles for on this machine: u8 quads where the ISA is AVX-512 and the CPU has
     * AVX512_VNNI, s16 pairs for AVX2 ({@code -Dinfero.jit.isa=avx2} forces it on AVX-512 machines); {@code null}
     * when the JIT is off or unsupported.
     */
    public static U8S8Conv.Form form() {
        Jit.Isa isa = Jit.isa();
        if (isa == Jit.Isa.AVX512 && CpuFeatures.host().avx512vnni()) {
            return U8S8Conv.Form.U8_QUADS;
        }
        return isa == null ? null : U8S8Conv.Form.S16_PAIRS;
    }

    /** The tiles for {@code layout} (made for {@link #form()}), or {@code null} when the JIT cannot run them. */
    public static U8S8ConvTiles create(U8S8Conv layout) {
        if (layout.form() != form()) {
            return null;
        }
        return new U8S8ConvTiles(layout);
    }

    @Override
    public String name() {
        // A stem's quads over taps (U8S8Stem) run the same code; the name tells the form apart in the counters.
        return (isa == Jit.Isa.AVX512 ? "jit_avx512_vnni" : "jit_avx2") + (layout.overTaps() ? "_taps" : "");
    }

    /** Per thread: the argument block, and the segments of the arrays last passed (made again only when they change). */
    private static final class State {
        final long[] args = new long[ARGS];
        final MemorySegment argsSegment = MemorySegment.ofArray(args);
        /** The input array last passed: int[] packed quads or a float[] tensor holding them. */
        Object in;
        MemorySegment inSegment;
        float[] out;
        MemorySegment outSegment;
        float[] table;
        MemorySegment tableSegment;
        float[] residual;
        MemorySegment residualSegment;
    }

    @Override
    public Object newState(int threads) {
        State[] s = new State[threads];
        for (int i = 0; i < threads; i++) {
            s[i] = new State();
        }
        return s;
    }

    @Override
    public boolean fusesPostOps() {
        return isa == Jit.Isa.AVX512;
    }

    @Override
    public void runFused(int[] in, int inOff, float[] out, int outOff, float[] residual, int group, int tiles,
                         long lastMask, int thread, Object state, float[] table, int flags) {
        State s = ((State[]) state)[thread];
        runFused(inSegment(in, inOff, out, outOff, group, tiles, lastMask, s), inOff, out, outOff, residual, group,
                tiles, lastMask, s, table, flags);
    }

    /** {@link #runFused} on the input's segment, its extents checked by the caller. */
    private void runFused(MemorySegment in, int inOff, float[] out, int outOff, float[] residual, int group,
                          int tiles, long lastMask, State s, float[] table, int flags) {
        if (isa != Jit.Isa.AVX512) {
            throw new UnsupportedOperationException(name() + " does not fuse post-ops");
        }
        if (flags <= RAW) {
            throw new IllegalArgumentException("epilogue flags " + flags);
        }
        layout.checkFused(out, outOff, residual, tiles, lastMask, table, flags);
        if (s.table != table) {
            s.table = table;
            s.tableSegment = MemorySegment.ofArray(table);
        }
        MemorySegment res = null;
        if ((flags & PostOps.EPILOGUE_RESIDUAL) != 0) {
            if (s.residual != residual) {
                s.residual = residual;
                s.residualSegment = MemorySegment.ofArray(residual);
            }
            res = s.residualSegment;
        }
        call(in, inOff, out, outOff, group, tiles, lastMask, s, s.tableSegment, res, flags);
    }

    @Override
    public boolean readsQuadTensors() {
        return fusesPostOps();
    }

    @Override
    public void runFusedOnQuads(float[] in, int inOff, float[] out, int outOff, float[] residual, int group,
                                int tiles, long lastMask, int thread, Object state, float[] table, int flags) {
        State s = ((State[]) state)[thread];
        layout.checkCall(in.length, inOff, out, outOff, group, tiles, lastMask);
        if (s.in != in) {
            s.in = in;
            s.inSegment = MemorySegment.ofArray(in);
        }
        runFused(s.inSegment, inOff, out, outOff, residual, group, tiles, lastMask, s, table, flags);
    }

    @Override
    public void run(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask, int thread,
                    Object state) {
        State s = ((State[]) state)[thread];
        call(inSegment(in, inOff, out, outOff, group, tiles, lastMask, s), inOff, out, outOff, group, tiles,
                lastMask, s, compensation, null, RAW);
    }

    /** The segment of {@code in}, after checking the call's extents. */
    private MemorySegment inSegment(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask,
                                    State s) {
        layout.checkCall(in, inOff, out, outOff, group, tiles, lastMask);
        if (s.in != in) {
            s.in = in;
            s.inSegment = MemorySegment.ofArray(in);
        }
        return s.inSegment;
    }

    /** Every extent was checked by the caller ({@link U8S8Conv#checkCall}). */
    private void call(MemorySegment inSegment, int inOff, float[] out, int outOff, int group, int tiles,
                      long lastMask, State s, MemorySegment table, MemorySegment residual, int mode) {
        if (s.out != out) {
            s.out = out;
            s.outSegment = MemorySegment.ofArray(out);
        }
        long[] a = s.args;
        a[0] = 4L * inOff;
        a[1] = (long) groupWeightBytes * group;
        a[2] = (long) groupCompBytes * group;
        a[3] = 4L * outOff;
        a[4] = tiles;
        a[5] = lastMask;
        a[6] = 4L * group * layout.rows();
        a[7] = mode;
        try {
            // Without a residual the output is passed in its place: the code reads it only with the residual flag.
            MemorySegment res = residual == null ? s.outSegment : residual;
            CALL.invokeExact(entry, inSegment, weights, compensation, s.outSegment, s.argsSegment, table, res);
        } catch (Throwable e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException("generated INT8 kernel failed", e);
        }
    }

    /**
     * The code of {@code void tiles(int* in, int* weights, int* comp, float* out, long* args, float* table,
     * float* residual)}: System V AMD64 (the seventh argument on the stack), the callee-saved rbx, rbp and r12–r15
     * pushed and restored.
     */
    static byte[] generate(U8S8Conv layout) {
        Assembler a = new Assembler();
        Gp[] saved = {RBX, RBP, R12, R13, R14, R15};
        prologue(a, saved);
        // rdi in, rsi weights, rdx compensation, rcx out, r8 args, r9 epilogue table; [rsp] the post-op mode,
        // [rsp + 8] the residual's distance from the output (read at the output's offsets).
        a.add(R9, mem(R8, 48));
        a.mov(RAX, mem(Asm.RSP, 8 * saved.length + 8));
        a.add(RAX, mem(R8, 24));
        a.sub(RAX, RCX);
        a.push(RAX);
        a.mov(RAX, mem(R8, 56));
        a.push(RAX);
        a.mov(R15, mem(R8, 32));
        a.mov(R8, mem(R8, 40));
        Assembler.Label tile = a.newLabel();
        Assembler.Label full = a.newLabel();
        Assembler.Label masked = a.newLabel();
        Assembler.Label done = a.newLabel();
        Assembler.Label[] narrow = new Assembler.Label[VECTORS - 1];
        for (int n = 0; n < narrow.length; n++) {
            narrow[n] = a.newLabel();
        }
        a.bind(tile);
        // Opmasks k1..k4: all lanes, or the last tile's.
        a.cmp(R15, 1);
        a.jcc(Assembler.Cond.NE, full);
        a.mov(RAX, R8);
        for (int v = 0; v < VECTORS; v++) {
            a.kmovw(Asm.k(v + 1), RAX);
            if (v + 1 < VECTORS) {
                a.shr(RAX, 16);
            }
        }
        // The last tile computes only the vectors its mask reaches (its highest lane): a 14×14 output's last tile
        // has 4 positions, which the full tile would compute as 64.
        a.mov(RAX, R8);
        for (int n = 1; n < VECTORS; n++) {
            a.shr(RAX, LANES);
            a.jcc(Assembler.Cond.E, narrow[n - 1]);
        }
        a.jmp(masked);
        a.bind(full);
        a.mov32(RAX, 0xFFFF);
        for (int v = 0; v < VECTORS; v++) {
            a.kmovw(Asm.k(v + 1), RAX);
        }
        a.bind(masked);
        blocks(a, layout, (asm, l, mr) -> body(asm, l, mr, VECTORS), true);
        a.add(RDI, U8S8Conv.TILE * 4);
        a.add(RCX, U8S8Conv.TILE * 4);
        a.dec(R15);
        a.jcc(Assembler.Cond.NE, tile);
        for (int n = 1; n < VECTORS; n++) {
            a.jmp(done);
            a.bind(narrow[n - 1]);
            int vectors = n;
            blocks(a, layout, (asm, l, mr) -> body(asm, l, mr, vectors), true);
        }
        a.bind(done);
        a.pop(RAX);
        a.pop(RAX);
        return finish(a, saved);
    }

    private static Vec acc(int m, int v) {
        return Asm.zmm(m * VECTORS + v);
    }

    private static Vec act(int v) {
        return Asm.zmm(MR * VECTORS + v);
    }

    /**
     * Both ISAs' start: {@code saved} pushed, then the input, weights, compensation and output pointers (rdi, rsi,
     * rdx, rcx) moved to the call's offsets (the argument block's first four longs, r8).
     */
    private static void prologue(Assembler a, Gp[] saved) {
        for (Gp r : saved) {
            a.push(r);
        }
        a.add(RDI, mem(R8, 0));
        a.add(RSI, mem(R8, 8));
        a.add(RDX, mem(R8, 16));
        a.add(RCX, mem(R8, 24));
    }

    /** Both ISAs' end: {@code vzeroupper}, {@code saved} popped, return; the finished code. */
    private static byte[] finish(Assembler a, Gp[] saved) {
        a.vzeroupper();
        for (int i = saved.length - 1; i >= 0; i--) {
            a.pop(saved[i]);
        }
        a.ret();
        return a.code();
    }

    /** The code of one block of {@code mr} output channels × one tile. */
    private interface Block {
        void emit(Assembler a, U8S8Conv layout, int mr);
    }

    /**
     * One tile's blocks of output channels, in both ISAs' forms: r10, r11, rbx (and rbp, the epilogue table, when
     * {@code table}) from the call's weights, compensation and output (and table) pointers (rsi, rdx, rcx, r9), then a
     * loop (r12) over the full blocks of {@link #MR} channels and one block of the remaining ones.
     */
    private static void blocks(Assembler a, U8S8Conv layout, Block body, boolean table) {
        int rows = layout.rows();
        int fullBlocks = rows / MR;
        int rest = rows % MR;
        int blockWeightBytes = layout.tapOffsets().length * layout.quads() * MR * 4;
        long blockOutBytes = 4L * MR * layout.ldc();
        if (blockOutBytes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("output stride too large for generated code");
        }
        a.mov(R10, RSI);
        a.mov(R11, RDX);
        a.mov(RBX, RCX);
        if (table) {
            a.mov(RBP, R9);
        }
        if (fullBlocks > 0) {
            Assembler.Label block = a.newLabel();
            a.mov(R12, fullBlocks);
            a.bind(block);
            body.emit(a, layout, MR);
            a.add(R10, blockWeightBytes);
            a.add(R11, MR * 4);
            if (table) {
                a.add(RBP, MR * 4);
            }
            a.add(RBX, (int) blockOutBytes);
            a.dec(R12);
            a.jcc(Assembler.Cond.NE, block);
        }
        if (rest > 0) {
            body.emit(a, layout, rest);
        }
    }

    /** The accumulator register of channel {@code m}, vector {@code v} of a tile. */
    private interface Accumulator {
        Vec of(int m, int v);
    }

    /**
     * What one channel quad (u8 quads) or pair (s16 pairs) of one tap adds to the {@code mr} channels' accumulators:
     * the activations at {@code in}, the channels' weights at {@code weights + weightDisp}.
     */
    private interface QuadStep {
        void emit(Assembler a, int mr, Asm.Mem in, Gp weights, int weightDisp);
    }

    /**
     * The int32 sums of one block of {@code mr} output channels × one tile, in both ISAs' forms: the accumulators
     * start at the compensation (r11), then per tap (unrolled) the channel quads or pairs: unrolled when there are at
     * most two, else a loop (rax the activations, r14 the weights, r13 the count). r10 the block's weights, rdi the
     * tile's input.
     */
    private static void sums(Assembler a, U8S8Conv layout, int mr, int vectors, Accumulator acc, QuadStep step) {
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                a.vpbroadcastd(acc.of(m, v), mem(R11, m * 4));
            }
        }
        int[] taps = layout.tapOffsets();
        int quads = layout.quads();
        int planeBytes = layout.plane() * 4;
        int tapWeightBytes = quads * MR * 4;
        for (int t = 0; t < taps.length; t++) {
            if (quads <= 2) {
                for (int q = 0; q < quads; q++) {
                    step.emit(a, mr, mem(RDI, 4 * taps[t] + q * planeBytes), R10, t * tapWeightBytes + q * MR * 4);
                }
                continue;
            }
            a.lea(RAX, mem(RDI, 4 * taps[t]));
            a.lea(R14, mem(R10, t * tapWeightBytes));
            a.mov(R13, quads);
            Assembler.Label loop = a.newLabel();
            a.bind(loop);
            step.emit(a, mr, mem(RAX, 0), R14, 0);
            a.add(RAX, planeBytes);
            a.add(R14, MR * 4);
            a.dec(R13);
            a.jcc(Assembler.Cond.NE, loop);
        }
    }

    /**
     * One block of {@code mr} output channels × one tile: r10 its weights, r11 its compensation, rbx its output, rdi
     * the tile's input; rax, r13, r14 free.
     */
    private static void body(Assembler a, U8S8Conv layout, int mr, int vectors) {
        sums(a, layout, mr, vectors, U8S8ConvTiles::acc,
                (asm, rows, in, weights, disp) -> quad(asm, rows, vectors, in, weights, disp));
        epilogue(a, layout, mr, vectors);
        int ldcBytes = layout.ldc() * 4;
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                a.vmovdqu32(mem(RBX, m * ldcBytes + v * LANES * 4).k(Asm.k(v + 1)), acc(m, v));
            }
        }
    }

    /**
     * The post-ops by the mode's flags ([rsp]), each as {@code PostOps.int8Epilogue} computes it: none (the int32
     * bits are stored), or fma(float(sum), scale, bias); the residual (masked loads: lanes past the last tile's are
     * never read); ReLU on the bits (signed max with 0, as FastMinMax.relu); PReLU / leaky ReLU (lanes below 0, by
     * an ordered compare as the Vector API's blend, times the channel's slope); the next layer's codes (multiply-add,
     * rounding constant, integer clamp of the bits, minus rounding constant and zero point, as
     * ActivationQuantizer.quantize). rbp points at this block's channels in the table; rax, r13, r14 free.
     */
    private static void epilogue(Assembler a, U8S8Conv layout, int mr, int vectors) {
        Assembler.Label store = a.newLabel();
        a.mov(RAX, mem(Asm.RSP, 0));
        a.test(RAX, RAX);
        a.jcc(Assembler.Cond.E, store);
        int section = layout.geometry().outChannels() * 4;
        Vec scale = Asm.zmm(28);
        for (int m = 0; m < mr; m++) {
            a.vbroadcastss(scale, mem(RBP, PostOps.TABLE_SCALE * section + m * 4));
            for (int v = 0; v < vectors; v++) {
                a.vcvtdq2ps(acc(m, v), acc(m, v));
                a.vfmadd213ps(acc(m, v), scale, mem(RBP, PostOps.TABLE_BIAS * section + m * 4).bcst());
            }
        }
        int ldcBytes = layout.ldc() * 4;
        Assembler.Label noResidual = a.newLabel();
        flag(a, PostOps.EPILOGUE_RESIDUAL, noResidual);
        a.mov(R13, mem(Asm.RSP, 8));
        a.add(R13, RBX);
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                a.vaddps(acc(m, v).k(Asm.k(v + 1)), acc(m, v), mem(R13, m * ldcBytes + v * LANES * 4));
            }
        }
        a.bind(noResidual);
        Vec zero = Asm.zmm(29);
        a.vpxord(zero, zero, zero);
        Assembler.Label noRelu = a.newLabel();
        flag(a, PostOps.EPILOGUE_RELU, noRelu);
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                a.vpmaxsd(acc(m, v), acc(m, v), zero);
            }
        }
        a.bind(noRelu);
        Assembler.Label noPrelu = a.newLabel();
        flag(a, PostOps.EPILOGUE_PRELU, noPrelu);
        Asm.Mask negative = Asm.k(5);
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                a.vcmpps(negative, acc(m, v), zero, Assembler.CMP_LT_OS);
                a.vmulps(acc(m, v).k(negative), acc(m, v), mem(RBP, PostOps.TABLE_SLOPE * section + m * 4).bcst());
            }
        }
        a.bind(noPrelu);
        // Sigmoid and swish through the generated exp (VectorExp; PostOps.int8Epilogue states it per value), with
        // zmm24–27 (the activation loads and weight broadcasts of the sums) as its registers.
        VectorExp exp = new VectorExp(R13, 0, true);
        Assembler.Label noSigmoid = a.newLabel();
        flag(a, PostOps.EPILOGUE_SIGMOID, noSigmoid);
        a.mov(R13, EXP_CONSTANTS.address());
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                exp.sigmoid(a, acc(m, v), Asm.zmm(24), Asm.zmm(25), Asm.zmm(26));
            }
        }
        a.bind(noSigmoid);
        Assembler.Label noSwish = a.newLabel();
        flag(a, PostOps.EPILOGUE_SWISH, noSwish);
        a.mov(R13, EXP_CONSTANTS.address());
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < vectors; v++) {
                exp.swish(a, acc(m, v), mem(RBP, PostOps.TABLE_SLOPE * section + m * 4).bcst(), Asm.zmm(27),
                        Asm.zmm(24), Asm.zmm(25), Asm.zmm(26));
            }
        }
        a.bind(noSwish);
        Assembler.Label noCodes = a.newLabel();
        flag(a, PostOps.EPILOGUE_CODES, noCodes);
        for (int m = 0; m < mr; m++) {
            a.vbroadcastss(scale, mem(RBP, PostOps.TABLE_Q_INVERSE * section + m * 4));
            for (int v = 0; v < vectors; v++) {
                Vec x = acc(m, v);
                a.vfmadd213ps(x, scale, mem(RBP, PostOps.TABLE_Q_OFFSET * section + m * 4).bcst());
                a.vaddps(x, x, mem(RBP, PostOps.TABLE_Q_ROUND * section + m * 4).bcst());
                a.vpmaxsd(x, x, mem(RBP, PostOps.TABLE_Q_LOWEST * section + m * 4).bcst());
                a.vpminsd(x, x, mem(RBP, PostOps.TABLE_Q_HIGHEST * section + m * 4).bcst());
                a.vsubps(x, x, mem(RBP, PostOps.TABLE_Q_ROUND_ZERO * section + m * 4).bcst());
            }
        }
        a.bind(noCodes);
        a.bind(store);
    }

    /** Jumps to {@code skip} unless the mode in rax has {@code flag}; r14 clobbered. */
    private static void flag(Assembler a, int flag, Assembler.Label skip) {
        a.mov(R14, RAX);
        a.and(R14, flag);
        a.jcc(Assembler.Cond.E, skip);
    }

    /**
     * One channel quad of one tap: {@code vectors} (4, fewer in a narrow last tile) activation loads from {@code in},
     * {@code mr}×{@code vectors} dot products.
     */
    private static void quad(Assembler a, int mr, int vectors, Asm.Mem in, Gp weights, int weightDisp) {
        for (int v = 0; v < vectors; v++) {
            a.vmovdqu32(act(v), in.plus(v * LANES * 4));
        }
        for (int m = 0; m < mr; m++) {
            // The channel's four weights broadcast once into a register (4 rotate), then 4 register dot products.
            Vec w = Asm.zmm(MR * VECTORS + VECTORS + m % 4);
            a.vpbroadcastd(w, mem(weights, weightDisp + m * 4));
            for (int v = 0; v < vectors; v++) {
                a.vpdpbusd(acc(m, v), act(v), w);
            }
        }
    }

    // ---------------------------------------------------------------- AVX2: s16 pairs, vpmaddwd

    private static final int AVX2_VECTORS = 2;

    /**
     * The AVX2 code of the same signature for the {@link U8S8Conv.Form#S16_PAIRS} form: tiles of 16 positions (2 ymm
     * of 8) × 6 channels, 12 accumulators; per channel pair, each channel's two weights broadcast once
     * ({@code vpbroadcastd}) and {@code vpmaddwd} + {@code vpaddd} per vector (exact: s16 products summed in int32).
     * No masks: the layout always has the tiles write per-thread rows wide enough for whole tiles.
     */
    static byte[] generateAvx2(U8S8Conv layout) {
        Assembler a = new Assembler();
        Gp[] saved = {RBX, R12, R13, R14, R15};
        prologue(a, saved);
        a.mov(R9, mem(R8, 32));
        int tileBytes = layout.form().tile() * 4;
        Assembler.Label tile = a.newLabel();
        a.bind(tile);
        blocks(a, layout, U8S8ConvTiles::bodyAvx2, false);
        a.add(RDI, tileBytes);
        a.add(RCX, tileBytes);
        a.dec(R9);
        a.jcc(Assembler.Cond.NE, tile);
        return finish(a, saved);
    }

    private static Vec accAvx2(int m, int v) {
        return Asm.ymm(m * AVX2_VECTORS + v);
    }

    private static void bodyAvx2(Assembler a, U8S8Conv layout, int mr) {
        sums(a, layout, mr, AVX2_VECTORS, U8S8ConvTiles::accAvx2, U8S8ConvTiles::pairAvx2);
        int ldcBytes = layout.ldc() * 4;
        for (int m = 0; m < mr; m++) {
            for (int v = 0; v < AVX2_VECTORS; v++) {
                a.vmovups(mem(RBX, m * ldcBytes + v * 32), accAvx2(m, v));
            }
        }
    }

    /** One channel pair of one tap: 2 activation loads, per channel a weight broadcast and 2 multiply-adds. */
    private static void pairAvx2(Assembler a, int mr, Asm.Mem in, Gp weights, int weightDisp) {
        Vec w = Asm.ymm(14);
        Vec product = Asm.ymm(15);
        for (int v = 0; v < AVX2_VECTORS; v++) {
            a.vmovups(Asm.ymm(12 + v), in.plus(v * 32));
        }
        for (int m = 0; m < mr; m++) {
            a.vpbroadcastd(w, mem(weights, weightDisp + m * 4));
            for (int v = 0; v < AVX2_VECTORS; v++) {
                a.vpmaddwd(product, Asm.ymm(12 + v), w);
                a.vpaddd(accAvx2(m, v), accAvx2(m, v), product);
            }
        }
    }
}
