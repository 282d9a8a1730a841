package dev.infero.core.ops.reduce;

/** ReduceMax-1: Largest element (-inf over an empty axis) along the axes. */
public final class ReduceMax extends Reduction {
    public ReduceMax(boolean keepDims) {
        super(keepDims, Combine.MAX, Mapping.NONE);
    }

    @Override
    public String type() {
        return "ReduceMax";
    }
}
