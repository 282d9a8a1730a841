package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceL2-4: the Euclidean norm (square root of the sum of squares) along the axes. */
public final class ReduceL2 extends Reduction {
    public static final OpSpec<ReduceL2> SPEC = OpSpec.of(ReduceL2.class, "ReduceL2", "opset4",
            a -> new ReduceL2(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceL2(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.SQUARE);
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
