package dev.infero.core.ops.reduce;

/** ReduceMin-1: Smallest element (+inf over an empty axis) along the axes. */
public final class ReduceMin extends Reduction {
    public ReduceMin(boolean keepDims) {
        super(keepDims, Combine.MIN, Mapping.NONE);
    }

    @Override
    public String type() {
        return "ReduceMin";
    }
}
