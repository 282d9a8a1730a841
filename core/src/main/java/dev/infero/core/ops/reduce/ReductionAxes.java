package dev.infero.core.ops.reduce;

import dev.infero.core.op.InferContext;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/** The axes input of reductions and normalizations: a 1-D (or scalar) integer tensor of possibly negative axes. */
public final class ReductionAxes {
    private ReductionAxes() {
    }

    /** Which axes of a rank-{@code rank} tensor {@code axes} lists; errors name the op's node. */
    public static boolean[] mask(InferContext ctx, Tensor axes, int rank) {
        if (!axes.type().isInteger()) {
            throw ctx.error("axes must be integers, got " + axes.type());
        }
        if (axes.rank() > 1) {
            throw ctx.error("axes must be a scalar or 1-D, got " + axes.describe());
        }
        boolean[] reduced = new boolean[rank];
        for (int i = 0; i < axes.size(); i++) {
            reduced[ctx.axis(axes.getLong(i), rank)] = true;
        }
        return reduced;
    }

    /**
     * Checks the axes input {@code i} against the rank of input 0 when both are known at build time (the rule of the
     * normalizations that take an axes input: NormalizeL2, LRN).
     */
    public static void checkKnown(InferContext ctx, int i) {
        Tensor axes = ctx.inputValue(i);
        if (axes != null && ctx.inputShape(0).hasRank()) {
            mask(ctx, axes, ctx.inputShape(0).rank());
        }
    }

    /** The same mask at run time, when the axes were validated by infer already. */
    public static boolean[] mask(Tensor axes, int rank) {
        boolean[] reduced = new boolean[rank];
        for (int i = 0; i < axes.size(); i++) {
            long a = axes.getLong(i);
            reduced[(int) (a < 0 ? a + rank : a)] = true;
        }
        return reduced;
    }

    /** The output shape of reducing {@code in} over {@code reduced}: those axes become 1 or disappear. */
    public static PartialShape reducedShape(PartialShape in, boolean[] reduced, boolean keepDims) {
        int[] dims = in.dimsOrDynamic();
        int kept = 0;
        for (int i = 0; i < dims.length; i++) {
            if (reduced[i] && keepDims) {
                dims[kept++] = 1;
            } else if (!reduced[i]) {
                dims[kept++] = dims[i];
            }
        }
        return PartialShape.of(java.util.Arrays.copyOf(dims, kept));
    }
}
