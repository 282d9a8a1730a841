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

    /**
     * {@code op} over all lanes of {@code v}, in the same order on every run. The common operators go to their own
     * methods: C2 turns {@code lanewise(op, ...)} into vector instructions only when {@code op} is a constant, and a
     * generic fold compiled on its own (then too big to be inlined where the operator is known) ran the Vector API's
     * Java fallback, allocating an array per step, for every reduction and softmax in the JVM.
     */
    public static float fold(FloatVector v, VectorOperators.Binary op) {
        if (op == VectorOperators.ADD) {
            return sum(v);
        } else if (op == VectorOperators.MAX) {
            return max(v);
        } else if (op == VectorOperators.MIN) {
            return min(v);
        } else if (op == VectorOperators.MUL) {
            return product(v);
        }
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(op, v.slice(w));
        }
        return v.lane(0);
    }

    /** The sum of the lanes of {@code v}, in the same order on every run. */
    public static float sum(FloatVector v) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(VectorOperators.ADD, v.slice(w));
        }
        return v.lane(0);
    }

    /** The largest lane of {@code v} ({@code lanewise(MAX)}: NaN wins). */
    public static float max(FloatVector v) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(VectorOperators.MAX, v.slice(w));
        }
        return v.lane(0);
    }

    /** The smallest lane of {@code v} ({@code lanewise(MIN)}: NaN wins). */
    public static float min(FloatVector v) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(VectorOperators.MIN, v.slice(w));
        }
        return v.lane(0);
    }

    /** The product of the lanes of {@code v}, in the same order on every run. */
    public static float product(FloatVector v) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(VectorOperators.MUL, v.slice(w));
        }
        return v.lane(0);
    }
}
