package dev.infero.core.ops.reduce;

/** ReduceMean-1: the arithmetic mean along the axes (integers: the sum divided with truncation). */
public final class ReduceMean extends Reduction {
    public ReduceMean(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.NONE);
    }

    @Override
    public String type() {
        return "ReduceMean";
    }

    @Override
    protected boolean finishes() {
        return true;
    }

    @Override
    protected double finish(double combined, long count) {
        return combined / count;
    }

    @Override
    protected long finish(long combined, long count) {
        return count == 0 ? 0 : combined / count;
    }
}
