package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/** Split-1: splits input 0 along axis (input 1) into {@code num_splits} equal parts; the size must divide evenly. */
public final class Split extends AxisSplit {
    private static final Attribute<Split, Long> NUM_SPLITS = Attribute.integer("num_splits",
            op -> (long) op.numSplits);
    public static final OpSpec<Split> SPEC = OpSpec.of(Split.class, "Split", "opset1",
            a -> new Split((int) (long) NUM_SPLITS.read(a)), NUM_SPLITS);

    private final int numSplits;

    public Split(int numSplits) {
        if (numSplits < 1) {
            throw new IllegalArgumentException("num_splits must be positive, got " + numSplits);
        }
        this.numSplits = numSplits;
    }

    @Override
    protected int[] lengths(InferContext ctx, int dim) {
        int[] parts = new int[numSplits];
        if (dim != PartialShape.DYNAMIC && dim % numSplits != 0) {
            throw ctx.error("dimension " + dim + " cannot be split into " + numSplits + " equal parts");
        }
        Arrays.fill(parts, dim == PartialShape.DYNAMIC ? PartialShape.DYNAMIC : dim / numSplits);
        return parts;
    }
}
