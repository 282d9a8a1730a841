package dev.infero.core.ops.reduce;

/** ReduceSum-1: Sum of the elements along the axes. */
public final class ReduceSum extends Reduction {
    public ReduceSum(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.NONE);
    }

    @Override
    public String type() {
        return "ReduceSum";
    }
}
