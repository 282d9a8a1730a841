package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceMin-1: Smallest element (+inf over an empty axis) along the axes. */
public final class ReduceMin extends Reduction {
    public static final OpSpec<ReduceMin> SPEC = OpSpec.of(ReduceMin.class, "ReduceMin", "opset1",
            a -> new ReduceMin(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceMin(boolean keepDims) {
        super(keepDims, Combine.MIN, Mapping.NONE);
    }
}
