package dev.infero.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ReLU and clamping for kernels, without {@code FloatVector.max/min}: those follow {@code Math.max/min} (NaN wins,
 * −0 &lt; +0), which C2 compiles to a sequence of five instructions per call; a quantizing pass took twice as long
 * with them as without, a 3×3 max pooling 2.3 times as long (the pooling kernels select by comparison in their own
 * loops, {@code a.blend(b, a.compare(LT, b))}, which keeps a NaN only when it is the running maximum already). ReLU
 * keeps the lanes whose sign bit is clear (one integer max: {@code v.reinterpretAsInts().max(0).reinterpretAsFloats()},
 * which loops fusing ReLU into other steps write out), a clamp selects by comparison. The differences from the
 * {@code Math} rules: signed zeros, and ReLU turns a NaN with its sign bit set into 0.
 *
 * <p>These methods take arrays, not vectors: a vector passed to or returned from a method C2 does not inline is
 * boxed, and whether it inlines depends on the profile it compiles from (docs/performance.md, "Allocation-free
 * inference").
 */
public final class FastMinMax {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FastMinMax() {
    }

    /** {@code z[zOff + i] = max(x[xOff + i], 0)} for {@code i < n}. */
    public static void relu(float[] x, int xOff, float[] z, int zOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).reinterpretAsInts().max(0).reinterpretAsFloats()
                    .intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = Math.max(x[xOff + i], 0f);
        }
    }

    /** {@code data[off + i] = min(max(data[off + i], lo), hi)} for {@code i < n} and {@code lo ≤ hi}. */
    public static void clamp(float[] data, int off, int n, float lo, float hi) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, data, off + i);
            v.blend(lo, v.compare(VectorOperators.LT, lo)).blend(hi, v.compare(VectorOperators.GT, hi))
                    .intoArray(data, off + i);
        }
        for (; i < n; i++) {
            data[off + i] = Math.min(Math.max(data[off + i], lo), hi);
        }
    }
}
