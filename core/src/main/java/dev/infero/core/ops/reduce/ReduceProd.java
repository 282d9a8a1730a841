package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpSpec;

/** ReduceProd-1: Product of the elements along the axes. */
public final class ReduceProd extends Reduction {
    public static final OpSpec<ReduceProd> SPEC = OpSpec.of(ReduceProd.class, "ReduceProd", "opset1",
            a -> new ReduceProd(KEEP_DIMS.read(a)), KEEP_DIMS);

    public ReduceProd(boolean keepDims) {
        super(keepDims, Combine.PRODUCT, Mapping.NONE);
    }
}
