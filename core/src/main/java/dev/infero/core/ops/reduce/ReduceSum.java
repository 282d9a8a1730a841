package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceSum-1: Sum of the elements along the axes. */
public final class ReduceSum extends Reduction {
    public static final OpSpec<ReduceSum> SPEC = OpSpec.of(ReduceSum.class, "ReduceSum", "opset1",
            a -> new ReduceSum(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceSum(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.NONE);
    }
}
