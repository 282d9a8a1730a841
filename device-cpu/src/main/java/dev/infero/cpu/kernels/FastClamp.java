package dev.infero.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ReLU and clamping for kernels, without {@code FloatVector.max/min}: those follow {@code Math.max/min} (NaN wins,
 * −0 &lt; +0), which C2 compiles to a sequence of five instructions per call; a quantizing pass took twice as long
 * with them as without. ReLU here keeps the lanes whose sign bit is clear (one integer max), a clamp selects by
 * comparison (NaN stays NaN); the only differences from the {@code Math} rules are signed zeros and a NaN with its
 * sign bit set, which ReLU turns into 0.
 */
public final class FastClamp {
    private FastClamp() {
    }

    /** {@code max(v, 0)}. */
    public static FloatVector relu(FloatVector v) {
        return v.reinterpretAsInts().max(0).reinterpretAsFloats();
    }

    /** {@code min(max(v, lo), hi)} for {@code lo ≤ hi}. */
    public static FloatVector clamp(FloatVector v, float lo, float hi) {
        return v.blend(lo, v.compare(VectorOperators.LT, lo)).blend(hi, v.compare(VectorOperators.GT, hi));
    }
}
