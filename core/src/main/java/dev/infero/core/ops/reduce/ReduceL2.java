package dev.infero.core.ops.reduce;

/** ReduceL2-4: the Euclidean norm (square root of the sum of squares) along the axes. */
public final class ReduceL2 extends Reduction {
    public ReduceL2(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.SQUARE);
    }

    @Override
    public String type() {
        return "ReduceL2";
    }

    @Override
    public String version() {
        return "opset4";
    }

    @Override
    protected boolean finishes() {
        return true;
    }

    @Override
    protected double finish(double combined, long count) {
        return Math.sqrt(combined);
    }
}
