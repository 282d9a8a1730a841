package dev.infero.core.ops.nn;

import dev.infero.core.op.OpFactories;

/** IR factories of the convolution, pooling, matrix-multiply and batch-norm ops: each op's declaration, registered. */
public final class NnOpSet {
    private NnOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(Convolution.SPEC, GroupConvolution.SPEC, MaxPool.SPEC_1, MaxPool.SPEC_8, AvgPool.SPEC,
                MatMul.SPEC, DeformableConvolution.SPEC);
        BatchNormInference.SPEC.register(r, 1); // BatchNormInference-1 files have the same attribute
    }
}
