package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;

/**
 * Transpose with a constant permutation over static shapes as a planned copy ({@link CopyStep}): the strided walk over
 * the input is planned at compile time (axes of size 1 dropped, axes the walk crosses contiguously merged), so a run
 * only copies, without the reference op's per-call index arrays, split across threads when large.
 */
public final class TransposeStep {
    private TransposeStep() {
    }

    public static CopyStep of(Node node) {
        if (!(node.op() instanceof Transpose) || node.input(0).type() != ElementType.F32
                || !node.input(0).shape().isStatic() || !node.input(1).isKnown()) {
            return null;
        }
        return planned(node.input(0).shape().toArray(), node.input(1).knownValue().toLongArray());
    }

    /** The f32 copy that transposes a tensor of shape {@code in} by {@code order} (empty: reverse the axes). */
    public static CopyStep planned(int[] in, long[] order) {
        int rank = in.length;
        int[] inStrides = Shapes.strides(in);
        int[] dims = new int[rank];
        int[] src = new int[rank];
        for (int i = 0; i < rank; i++) {
            int axis = order.length == 0 ? rank - 1 - i : (int) order[i];
            dims[i] = in[axis];
            src[i] = inStrides[axis];
        }
        StridedCopy copy = StridedCopy.of(dims, src, 0, Shapes.strides(dims), 0);
        return new CopyStep(new StridedCopy[] {copy}, new int[1], ElementType.F32, "strided_copy");
    }
}
