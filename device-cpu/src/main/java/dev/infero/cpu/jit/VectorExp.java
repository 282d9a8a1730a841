package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.mem;

import dev.infero.core.ops.eltwise.FloatExp;
import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mask;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Operand;
import dev.infero.cpu.jit.Asm.Vec;
import java.util.function.Function;

/**
 * The generated {@code exp} (Cephes' expf polynomial: {@link FloatExp}, the same bits) and the sigmoid built on it,
 * for every kernel that applies SIGMOID, SWISH or ELU in registers ({@link PostOpEmitter}, {@link GemmKernel}, {@link U8S8ConvTiles}): the emitter and its constants
 * table, which the kernel hands its code at {@code base + 4 · offset} bytes (a copy of {@link #constants()} there).
 * Four vector registers: the value and three temporaries.
 */
public final class VectorExp {
    /** Indexes of the constants in the table. */
    static final int LO = 0, HI = 1, LOG2E = 2, MAGIC = 3, NEG_LN2_HI = 4, NEG_LN2_LO = 5, POLY = 6, ONE = 12,
            ZERO = 13;
    /** Entries of the table. */
    static final int SIZE = 14;

    // The values live in FloatExp (core), the one home of the polynomial's constants and of its scalar and Vector API
    // forms; this is their layout for the generated code.
    private static final float[] CONSTANTS = {FloatExp.LO, FloatExp.HI, FloatExp.LOG2E, FloatExp.MAGIC,
        FloatExp.NEG_LN2_HI, FloatExp.NEG_LN2_LO, FloatExp.P0, FloatExp.P1, FloatExp.P2, FloatExp.P3, FloatExp.P4,
        FloatExp.P5, 1f, 0f};

    private final Gp base;
    private final int offset;
    private final boolean evex;

    /** The emitter for code that finds the table at {@code base + 4 · offset}, with EVEX broadcasts or without. */
    VectorExp(Gp base, int offset, boolean evex) {
        this.base = base;
        this.offset = offset;
        this.evex = evex;
    }

    /** A copy of the table (see {@link #VectorExp}). */
    static float[] constants() {
        return CONSTANTS.clone();
    }

    /** Constant {@code i} in memory. */
    Mem at(int i) {
        return mem(base, 4 * (offset + i));
    }

    /** Constant {@code i} as a broadcast source: from memory inside the instruction (EVEX) or through {@code tmp}. */
    Operand constant(Assembler as, int i, Vec tmp) {
        return PostOpEmitter.broadcast(as, evex, at(i), tmp);
    }

    /**
     * {@code x = exp(x)} in registers, clobbering {@code n}, {@code p} and {@code c}: clamp, n = round(x · log2 e),
     * r = x - n · ln 2, the polynomial in r, then 2^n added to its exponent bits.
     */
    void exp(Assembler as, Vec x, Vec n, Vec p, Vec c) {
        // Constants first in a register, so a NaN stays in x (max/min return their second source on a NaN).
        as.vbroadcastss(c, at(LO));
        as.vmaxps(x, c, x);
        as.vbroadcastss(c, at(HI));
        as.vminps(x, c, x);
        as.vbroadcastss(c, at(LOG2E));
        as.vmovups(n, x);
        as.vfmadd213ps(n, c, constant(as, MAGIC, p));
        // The low bits of n + 1.5 · 2^23 hold n: shifted into the exponent field they are 2^n's exponent bits.
        as.vpslld(p, n, 23);
        as.vsubps(n, n, constant(as, MAGIC, c));
        as.vfmadd231ps(x, n, constant(as, NEG_LN2_HI, c));
        as.vfmadd231ps(x, n, constant(as, NEG_LN2_LO, c));
        as.vbroadcastss(n, at(POLY));
        for (int i = 1; i < 6; i++) {
            as.vfmadd213ps(n, x, constant(as, POLY + i, c));
        }
        as.vfmadd213ps(n, x, constant(as, ONE, c));
        as.vfmadd213ps(n, x, constant(as, ONE, c));
        as.vpaddd(x, n, p);
    }

    /** {@code x = 1 / (exp(-x) + 1)}, as {@code PostOps}, clobbering {@code t0}, {@code t1}, {@code t2}. */
    void sigmoid(Assembler as, Vec x, Vec t0, Vec t1, Vec t2) {
        zero(as, evex, t0);
        as.vsubps(x, t0, x);
        exp(as, x, t0, t1, t2);
        as.vaddps(x, x, constant(as, ONE, t0));
        as.vbroadcastss(t0, at(ONE));
        as.vdivps(x, t0, x);
    }

    /**
     * Swish, {@code acc = acc · (1 / (exp(-alpha · acc) + 1))} as {@code PostOps}' vector form: {@code alpha} an
     * operand valid now (a register or a broadcast), {@code s} the sigmoid's register, {@code t0}–{@code t2} clobbered.
     */
    void swish(Assembler as, Vec acc, Operand alpha, Vec s, Vec t0, Vec t1, Vec t2) {
        as.vmulps(s, acc, alpha);
        sigmoid(as, s, t0, t1, t2);
        as.vmulps(acc, acc, s);
    }

    /**
     * ELU, {@code acc = acc < 0 ? (exp(acc) - 1) · alpha : acc} as {@code PostOps}: {@code alpha} gives the operand
     * through the temporary it is passed (after the exp, which clobbers it); the lanes are selected with mask
     * {@code k} (EVEX) or a blend; {@code t0}–{@code t3} clobbered.
     */
    void elu(Assembler as, Vec acc, Function<Vec, Operand> alpha, Mask k, Vec t0, Vec t1, Vec t2, Vec t3) {
        as.vmovups(t0, acc);
        exp(as, t0, t1, t2, t3);
        as.vsubps(t0, t0, constant(as, ONE, t1));
        as.vmulps(t0, t0, alpha.apply(t1));
        if (evex) {
            as.vcmpps(k, acc, at(ZERO).bcst(), Assembler.CMP_LT_OS);
            as.vmovups(acc.k(k), t0);
        } else {
            zero(as, false, t1);
            as.vcmpps(t1, acc, t1, Assembler.CMP_LT_OS);
            as.vblendvps(acc, acc, t0, t1);
        }
    }

    /**
     * {@link #exp} on one float, operation for operation as the generated code computes it (the same roundings), for
     * plain-Java statements of generated kernels ({@code PostOps.int8Epilogue}): {@link FloatExp#exp(float)}.
     */
    static float expScalar(float x) {
        return FloatExp.exp(x);
    }

    /** {@link #sigmoid} on one float, as the generated code computes it: {@link FloatExp#sigmoid(float)}. */
    public static float sigmoidScalar(float x) {
        return FloatExp.sigmoid(x);
    }

    /** {@link #swish} on one float, as the generated code computes it: {@link FloatExp#swish(float, float)}. */
    public static float swishScalar(float x, float alpha) {
        return FloatExp.swish(x, alpha);
    }

    /** {@link #elu} on one float, as the generated code computes it: {@link FloatExp#elu(float, float)}. */
    public static float eluScalar(float x, float alpha) {
        return FloatExp.elu(x, alpha);
    }

    /** {@code r = 0}. */
    static void zero(Assembler as, boolean evex, Vec r) {
        if (evex) {
            as.vpxord(r, r, r);
        } else {
            as.vxorps(r, r, r);
        }
    }
}
