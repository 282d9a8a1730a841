package dev.infero.core.ops.movement;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.InferContext;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/** Split-1: splits input 0 along axis (input 1) into {@code num_splits} equal parts; the size must divide evenly. */
public final class Split extends AxisSplit {
    private final int numSplits;

    public Split(int numSplits) {
        if (numSplits < 1) {
            throw new IllegalArgumentException("num_splits must be positive, got " + numSplits);
        }
        this.numSplits = numSplits;
    }

    @Override
    public String type() {
        return "Split";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("num_splits", numSplits);
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
