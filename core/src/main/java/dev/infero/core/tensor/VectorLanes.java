package dev.infero.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Combining the lanes of a vector in one fixed order. {@code FloatVector.reduceLanes(ADD)} may add the lanes in any
 * order, and does: the JIT-compiled intrinsic adds them as a tree, the interpreter and C1 one after the other, so the
 * same inference gives results one rounding apart depending on how warm the JVM is — enough to flip a softmax over
 * large logits. Folding halves onto each other ({@code lane i ⊕ lane i + w}, w = L/2, L/4, ..., 1) uses only
 * lane-wise operations and data movement, which every execution tier computes alike.
 */
public final class VectorLanes {
    private VectorLanes() {
    }

    /** {@code op} over all lanes of {@code v}, in the same order on every run. */
    public static float fold(FloatVector v, VectorOperators.Binary op) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(op, v.slice(w));
        }
        return v.lane(0);
    }

    /** The sum of the lanes of {@code v}, in the same order on every run. */
    public static float sum(FloatVector v) {
        return fold(v, VectorOperators.ADD);
    }
}
