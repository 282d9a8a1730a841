package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceMax-1: Largest element (-inf over an empty axis) along the axes. */
public final class ReduceMax extends Reduction {
    public static final OpSpec<ReduceMax> SPEC = OpSpec.of(ReduceMax.class, "ReduceMax", "opset1",
            a -> new ReduceMax(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceMax(boolean keepDims) {
        super(keepDims, Combine.MAX, Mapping.NONE);
    }
}
