package dev.infero.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Combining the lanes of a vector in one fixed order. {@code FloatVector.reduceLanes(ADD)} may add the lanes in any
 * order, and does: the JIT-compiled intrinsic adds them as a tree, the interpreter and C1 one after the other, so the
 * same inference gives results one rounding apart depending on how warm the JVM is — enough to flip a softmax over
 * large logits. Folding halves onto each other ({@code lane i ⊕ lane i + w}, w = L/2, L/4, ..., 1) uses only
 * lane-wise operations and data movement, which every execution tier computes alike.
 *
 * <p>The halvings are written out, each with a constant origin, not looped over {@code w}: in a loop the vector is a
 * phi whose class C2 takes from the type profile of these lines, and a kernel compiled before that profile was
 * mature (under {@code -Xbatch}, at 128 bits) called {@code slice} and {@code lanewise} virtually, each vector a
 * heap object (api's AllocationFreeInferenceTest; docs/performance.md, "Allocation-free inference"). With
 * {@code v}'s class known at the call, each step's is known too, and the lane count is a constant (up to 16 lanes,
 * 512 bits; wider species fold in a loop).
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
        return halvings(v, op);
    }

    /** {@code op} folded over the halves of {@code v} in a loop: other operators, and more than 16 lanes. */
    private static float halvings(FloatVector v, VectorOperators.Binary op) {
        for (int w = v.length() / 2; w >= 1; w /= 2) {
            v = v.lanewise(op, v.slice(w));
        }
        return v.lane(0);
    }

    /** The sum of the lanes of {@code v}, in the same order on every run. */
    public static float sum(FloatVector v) {
        int n = v.length();
        if (n > 16) {
            return halvings(v, VectorOperators.ADD);
        }
        FloatVector f = n == 16 ? v.lanewise(VectorOperators.ADD, v.slice(8)) : v;
        f = n >= 8 ? f.lanewise(VectorOperators.ADD, f.slice(4)) : f;
        f = n >= 4 ? f.lanewise(VectorOperators.ADD, f.slice(2)) : f;
        f = n >= 2 ? f.lanewise(VectorOperators.ADD, f.slice(1)) : f;
        return f.lane(0);
    }

    /** The largest lane of {@code v} ({@code lanewise(MAX)}: NaN wins). */
    public static float max(FloatVector v) {
        int n = v.length();
        if (n > 16) {
            return halvings(v, VectorOperators.MAX);
        }
        FloatVector f = n == 16 ? v.lanewise(VectorOperators.MAX, v.slice(8)) : v;
        f = n >= 8 ? f.lanewise(VectorOperators.MAX, f.slice(4)) : f;
        f = n >= 4 ? f.lanewise(VectorOperators.MAX, f.slice(2)) : f;
        f = n >= 2 ? f.lanewise(VectorOperators.MAX, f.slice(1)) : f;
        return f.lane(0);
    }

    /** The smallest lane of {@code v} ({@code lanewise(MIN)}: NaN wins). */
    public static float min(FloatVector v) {
        int n = v.length();
        if (n > 16) {
            return halvings(v, VectorOperators.MIN);
        }
        FloatVector f = n == 16 ? v.lanewise(VectorOperators.MIN, v.slice(8)) : v;
        f = n >= 8 ? f.lanewise(VectorOperators.MIN, f.slice(4)) : f;
        f = n >= 4 ? f.lanewise(VectorOperators.MIN, f.slice(2)) : f;
        f = n >= 2 ? f.lanewise(VectorOperators.MIN, f.slice(1)) : f;
        return f.lane(0);
    }

    /** The product of the lanes of {@code v}, in the same order on every run. */
    public static float product(FloatVector v) {
        int n = v.length();
        if (n > 16) {
            return halvings(v, VectorOperators.MUL);
        }
        FloatVector f = n == 16 ? v.lanewise(VectorOperators.MUL, v.slice(8)) : v;
        f = n >= 8 ? f.lanewise(VectorOperators.MUL, f.slice(4)) : f;
        f = n >= 4 ? f.lanewise(VectorOperators.MUL, f.slice(2)) : f;
        f = n >= 2 ? f.lanewise(VectorOperators.MUL, f.slice(1)) : f;
        return f.lane(0);
    }
}
