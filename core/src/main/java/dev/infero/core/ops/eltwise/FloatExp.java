package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The runtime's one f32 {@code exp} (Cephes' expf polynomial), its constants and the activations built on it, the
 * same bits however it runs: {@link #exp(float)} on one value, {@link #exp(FloatVector)} on lanes, and the generated
 * code of {@code dev.infero.cpu.jit.VectorExp}, which reads its table from these constants.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: that runs {@code Math.exp} per lane until C2 compiles the loop,
 * then Intel SVML, whose last bits differ (about 1 value in 60), so a cold and a warm run of one model disagreed. Here
 * every step is an IEEE operation (fma, add, integer add) with one rounding, identical in the interpreter, in C2's
 * vector code, in the scalar form and in the JIT's instructions.
 *
 * <p>exp(x) = 2^n · p(r): n = round(x · log2 e) (by adding 1.5 · 2^23, which leaves n in the low mantissa bits),
 * r = x - n · ln 2 in two parts (hi exact in few bits, lo the rest), p the degree-7 polynomial of Cephes' expf
 * evaluated by Horner's rule with fmas, 2^n added to p's exponent bits. x is clamped to [{@link #LO}, {@link #HI}]
 * first so 2^n and the result stay normal floats: below -86 the result is exp(-86) ≈ 4.5e-38 instead of smaller,
 * above 88 it is exp(88) ≈ 1.7e38 instead of larger or infinity. That suits sigmoid, swish, ELU and softmax (whose
 * arguments are at most 0), not a general Exp op near overflow: that one is {@link #expFullRange(float)}. NaN stays
 * NaN. Error: at most 1 ulp from {@code (float) Math.exp(x)} over [-86, 88], 99.5 % of the floats there exact
 * (measured on all of them).
 *
 * <p>Kernel loops write {@link #exp(FloatVector)}'s steps out in their body, with these constants broadcast before
 * the loop, instead of calling it: a vector passed to or returned from a call C2 does not inline is boxed.
 */
public final class FloatExp {
    /** The clamp's lower bound. */
    public static final float LO = -86f;
    /** The clamp's upper bound. */
    public static final float HI = 88f;
    /** log2 e. */
    public static final float LOG2E = 1.44269504088896341f;
    /** 1.5 · 2^23: added to x · log2 e, it rounds to an integer n and leaves n in the low mantissa bits. */
    public static final float MAGIC = 12582912f;
    /** -ln 2, high part (few mantissa bits, so n · it is exact). */
    public static final float NEG_LN2_HI = -0.693359375f;
    /** -ln 2, low part: -ln 2 - {@link #NEG_LN2_HI}. */
    public static final float NEG_LN2_LO = 2.12194440e-4f;
    /** The polynomial's coefficients, highest degree first (p(r) = ((P0 r + P1) r + ... + P5) r² + r + 1). */
    public static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    private FloatExp() {
    }

    /** exp(x) as described in the class comment; the scalar statement of every vector form. */
    public static float exp(float x) {
        // Math.max / min keep a NaN, as the vector forms and the generated code (constant first) do.
        x = Math.min(Math.max(x, LO), HI);
        float n = Math.fma(x, LOG2E, MAGIC);
        int p = Float.floatToRawIntBits(n) << 23;
        n = n - MAGIC;
        float q = polynomial(n, x);
        return Float.intBitsToFloat(Float.floatToRawIntBits(q) + p);
    }

    /**
     * p(r) for r = x - n · ln 2 (in two parts), the steps both scalar forms share: the reduction's two fmas, then the
     * polynomial by Horner's rule.
     */
    private static float polynomial(float n, float x) {
        float r = Math.fma(n, NEG_LN2_HI, x);
        r = Math.fma(n, NEG_LN2_LO, r);
        float q = Math.fma(P0, r, P1);
        q = Math.fma(q, r, P2);
        q = Math.fma(q, r, P3);
        q = Math.fma(q, r, P4);
        q = Math.fma(q, r, P5);
        q = Math.fma(q, r, 1f);
        return Math.fma(q, r, 1f);
    }

    /**
     * {@link #exp(float)} on every lane, bit for bit. The reference form of the steps that kernel loops write out
     * (see the class comment); ops that already pass vectors through methods may call it.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(LO).min(HI);
        FloatVector n = x.fma(x.broadcast(LOG2E), x.broadcast(MAGIC));
        IntVector p = n.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        n = n.sub(MAGIC);
        x = n.fma(x.broadcast(NEG_LN2_HI), x);
        x = n.fma(x.broadcast(NEG_LN2_LO), x);
        FloatVector one = x.broadcast(1f);
        FloatVector q = x.broadcast(P0).fma(x, x.broadcast(P1)).fma(x, x.broadcast(P2)).fma(x, x.broadcast(P3))
                .fma(x, x.broadcast(P4)).fma(x, x.broadcast(P5)).fma(x, one).fma(x, one);
        return q.reinterpretAsInts().add(p).reinterpretAsFloats();
    }

    /** {@link #expFullRange(float)}'s clamp: below, exp rounds to 0; above, it overflows to infinity. */
    private static final float FULL_LO = -104f, FULL_HI = 89f;
    /** The bits of {@link #MAGIC}: n + MAGIC's bits minus these are the integer n. */
    private static final int MAGIC_BITS = 0x4B400000;

    /**
     * exp(x) over all floats, for the Exp op: {@link #exp(float)}'s steps with x clamped to [-104, 89] instead, and
     * 2^n (n in [-150, 128], beyond a normal float) applied as two normal factors 2^(n >> 1) and 2^(n - (n >> 1)):
     * the first product is exact, the second rounds once, so results are subnormal, 0 or infinity where exp's are,
     * and equal {@link #exp(float)}'s bits where both are normal. Within 1 ulp of {@code (float) Math.exp(x)}.
     */
    public static float expFullRange(float x) {
        x = Math.min(Math.max(x, FULL_LO), FULL_HI);
        float n = Math.fma(x, LOG2E, MAGIC);
        int k = Float.floatToRawIntBits(n) - MAGIC_BITS;
        n = n - MAGIC;
        float q = polynomial(n, x);
        int k1 = k >> 1;
        return q * Float.intBitsToFloat(k1 + 127 << 23) * Float.intBitsToFloat(k - k1 + 127 << 23);
    }

    /** {@link #expFullRange(float)} on every lane, bit for bit. */
    public static FloatVector expFullRange(FloatVector x) {
        x = x.max(FULL_LO).min(FULL_HI);
        FloatVector n = x.fma(x.broadcast(LOG2E), x.broadcast(MAGIC));
        IntVector k = n.reinterpretAsInts().sub(MAGIC_BITS);
        n = n.sub(MAGIC);
        x = n.fma(x.broadcast(NEG_LN2_HI), x);
        x = n.fma(x.broadcast(NEG_LN2_LO), x);
        FloatVector one = x.broadcast(1f);
        FloatVector q = x.broadcast(P0).fma(x, x.broadcast(P1)).fma(x, x.broadcast(P2)).fma(x, x.broadcast(P3))
                .fma(x, x.broadcast(P4)).fma(x, x.broadcast(P5)).fma(x, one).fma(x, one);
        IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
        return q.mul(k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(k.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** The logistic function {@code 1 / (exp(0 - x) + 1)} on one value, as every sigmoid of the runtime computes it. */
    public static float sigmoid(float x) {
        return 1f / (exp(0f - x) + 1f);
    }

    /** {@link #sigmoid(float)} on every lane, bit for bit. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector one = x.broadcast(1f);
        return one.div(exp(x.broadcast(0f).sub(x)).add(one));
    }

    /** Swish {@code x · sigmoid(x · alpha)} on one value, as every swish of the runtime computes it. */
    public static float swish(float x, float alpha) {
        return x * sigmoid(x * alpha);
    }

    /** ELU {@code x < 0 ? (exp(x) - 1) · alpha : x} on one value, as the fused ELU of kernels computes it. */
    public static float elu(float x, float alpha) {
        return x < 0 ? (exp(x) - 1f) * alpha : x;
    }
}
