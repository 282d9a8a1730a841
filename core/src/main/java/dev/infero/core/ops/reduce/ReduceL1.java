package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceL1-4: the sum of absolute values along the axes. */
public final class ReduceL1 extends Reduction {
    public static final OpSpec<ReduceL1> SPEC = OpSpec.of(ReduceL1.class, "ReduceL1", "opset4",
            a -> new ReduceL1(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceL1(boolean keepDims) {
        super(keepDims, Combine.SUM, Mapping.ABS);
    }
}
