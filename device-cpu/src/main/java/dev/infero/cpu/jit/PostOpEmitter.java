package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.k;

import dev.infero.cpu.jit.Asm.Mask;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Operand;
import dev.infero.cpu.jit.Asm.Vec;
import java.util.function.IntFunction;

/**
 * The FP32 post-ops that generated kernels apply to an accumulator in registers before its single store, bit for bit
 * as {@code PostOps}: the one emitter of scale and bias, residual, ReLU, clamp, leaky ReLU / PReLU, hard swish, and
 * sigmoid, swish and ELU (through {@link VectorExp}), and of the tail's masked loads and stores.
 * {@link DepthwiseKernel} and {@link DirectConvKernel} run the whole chain ({@link #apply}); {@link GemmKernel},
 * whose ReLU and clamp keep their bounds in registers across a tile, calls {@link #negativeScaled},
 * {@link #whereNegative} and {@link #hardSwish}.
 *
 * <p>The constants are entries of a table the kernel places where it likes ({@link #SCALE} … {@link #ZERO}, the first
 * {@link #ENTRIES} floats of a channel's table, written by {@link #fill}); the emitter reads entry {@code i} at the
 * address the kernel's function gives, broadcast from memory inside the instruction with EVEX, through a temporary
 * register with AVX2.
 */
final class PostOpEmitter {
    /** Table entries: scale, bias, alpha (clamp min, negative slope, ELU alpha, swish beta), beta (clamp max), 3, 6, 1/6, 0. */
    static final int SCALE = 0, BIAS = 1, ALPHA = 2, BETA = 3, THREE = 4, SIX = 5, SIXTH = 6, ZERO = 7;
    /** Entries of the post-op table. */
    static final int ENTRIES = 8;

    private final boolean evex;
    /** Whether table entry i is a full vector of per-lane constants (channel-blocked kernels) rather than one float. */
    private final boolean perLane;
    private final IntFunction<Mem> table;
    private final VectorExp exp;
    private final Mask select;

    /**
     * The emitter for code that finds table entry {@code i} at {@code table.apply(i)}, computes exp with {@code exp}
     * and selects lanes with opmask {@code select} (EVEX; the tail's loads and stores use {@code k1}).
     */
    PostOpEmitter(boolean evex, IntFunction<Mem> table, VectorExp exp, Mask select) {
        this(evex, false, table, exp, select);
    }

    /**
     * As above; with {@code perLane}, table entry {@code i} at {@code table.apply(i)} is a whole vector, one constant
     * per lane (the channel-blocked kernels, whose lanes are 16 channels: {@link BlockedDepthwiseKernel}, {@link BlockedConvKernel}), loaded as
     * it is instead of broadcast.
     */
    PostOpEmitter(boolean evex, boolean perLane, IntFunction<Mem> table, VectorExp exp, Mask select) {
        this.evex = evex;
        this.perLane = perLane;
        this.table = table;
        this.exp = exp;
        this.select = select;
    }

    /** Writes the {@link #ENTRIES} post-op constants of one channel at {@code table[off..]}. */
    static void fill(float[] table, int off, float scale, float bias, float alpha, float beta) {
        table[off + SCALE] = scale;
        table[off + BIAS] = bias;
        table[off + ALPHA] = alpha;
        table[off + BETA] = beta;
        table[off + THREE] = 3f;
        table[off + SIX] = 6f;
        table[off + SIXTH] = 1f / 6f;
        table[off + ZERO] = 0f;
    }

    /** The float at {@code at} as a broadcast source: from memory inside the instruction (EVEX) or through {@code tmp}. */
    static Operand broadcast(Assembler as, boolean evex, Mem at, Vec tmp) {
        if (evex) {
            return at.bcst();
        }
        as.vbroadcastss(tmp, at);
        return tmp;
    }

    /** Table entry {@code i} as a source operand: a broadcast (see {@link #broadcast}), or the vector per lane. */
    Operand constant(Assembler as, int i, Vec tmp) {
        return perLane ? table.apply(i) : broadcast(as, evex, table.apply(i), tmp);
    }

    /** Table entry {@code i} into {@code dst}: broadcast, or loaded per lane. */
    private void load(Assembler as, Vec dst, int i) {
        if (perLane) {
            as.vmovups(dst, table.apply(i));
        } else {
            as.vbroadcastss(dst, table.apply(i));
        }
    }

    /**
     * {@code acc = activation(acc + residual)} after {@code fma(acc, scale, bias)} (or the one of them the kernel
     * has): the residual read at {@code residual} (null: none), only the tail's lanes when {@code masked} (opmask k1,
     * or the AVX2 mask vector at {@code avx2Mask}); {@code t0}–{@code t3} clobbered.
     */
    void apply(Assembler as, Vec acc, boolean scale, boolean bias, Mem residual, DepthwiseKernel.Activation activation,
               boolean masked, Mem avx2Mask, Vec t0, Vec t1, Vec t2, Vec t3) {
        if (scale && bias) {
            load(as, t0, SCALE);
            as.vfmadd213ps(acc, t0, constant(as, BIAS, t1));
        } else if (scale) {
            as.vmulps(acc, acc, constant(as, SCALE, t0));
        } else if (bias) {
            as.vaddps(acc, acc, constant(as, BIAS, t0));
        }
        if (residual != null) {
            if (!masked) {
                as.vaddps(acc, acc, residual);
            } else if (evex) {
                as.vmovups(t0.k(k(1)).z(), residual);
                as.vaddps(acc, acc, t0);
            } else {
                as.vmovups(t2, avx2Mask);
                as.vmaskmovps(t0, t2, residual);
                as.vaddps(acc, acc, t0);
            }
        }
        switch (activation) {
            case NONE -> { }
            case RELU -> {
                // Integer max on the float bits, as FastMinMax.relu: any clear sign bit wins over 0.
                VectorExp.zero(as, evex, t0);
                as.vpmaxsd(acc, acc, t0);
            }
            case CLAMP -> {
                // Operand order keeps a NaN, as FastMinMax.clamp.
                load(as, t0, ALPHA);
                as.vmaxps(acc, t0, acc);
                load(as, t0, BETA);
                as.vminps(acc, t0, acc);
            }
            case PRELU -> negativeScaled(as, acc, t0, t1);
            case HSWISH -> hardSwish(as, acc, t0, t1);
            case SIGMOID -> exp.sigmoid(as, acc, t0, t1, t2);
            case SWISH -> exp.swish(as, acc, constant(as, ALPHA, t0), t3, t0, t1, t2);
            case ELU -> exp.elu(as, acc, tmp -> constant(as, ALPHA, tmp), select, t0, t1, t2, t3);
        }
    }

    /** Stores {@code acc} at {@code out}: whole, or only the tail's lanes when {@code masked} (as {@link #apply}). */
    void store(Assembler as, Mem out, Vec acc, boolean masked, Mem avx2Mask, Vec t2) {
        if (!masked) {
            as.vmovups(out, acc);
        } else if (evex) {
            as.vmovups(out.k(k(1)), acc);
        } else {
            as.vmovups(t2, avx2Mask);
            as.vmaskmovps(out, t2, acc);
        }
    }

    /** Leaky ReLU / PReLU, {@code acc < 0 ? acc · alpha : acc} as {@code PostOps}, in {@code t0} and {@code t1}. */
    void negativeScaled(Assembler as, Vec acc, Vec t0, Vec t1) {
        as.vmulps(t0, acc, constant(as, ALPHA, t0));
        whereNegative(as, acc, t0, t1);
    }

    /**
     * {@code acc = acc < 0 ? value : acc} lane by lane: a compare into the select opmask and a masked move (EVEX), or
     * a compare into {@code tmp} and a blend (AVX2).
     */
    void whereNegative(Assembler as, Vec acc, Vec value, Vec tmp) {
        if (evex) {
            as.vcmpps(select, acc, perLane ? table.apply(ZERO) : table.apply(ZERO).bcst(), Assembler.CMP_LT_OS);
            as.vmovups(acc.k(select), value);
        } else {
            VectorExp.zero(as, false, tmp);
            as.vcmpps(tmp, acc, tmp, Assembler.CMP_LT_OS);
            as.vblendvps(acc, acc, value, tmp);
        }
    }

    /** Hard swish, {@code acc · clamp(acc + 3, 0, 6) · (1/6)} as {@code PostOps}, in {@code t0} and {@code t1}. */
    void hardSwish(Assembler as, Vec acc, Vec t0, Vec t1) {
        as.vaddps(t0, acc, constant(as, THREE, t1));
        VectorExp.zero(as, evex, t1);
        as.vmaxps(t0, t1, t0);
        load(as, t1, SIX);
        as.vminps(t0, t1, t0);
        as.vmulps(acc, acc, t0);
        as.vmulps(acc, acc, constant(as, SIXTH, t1));
    }
}
