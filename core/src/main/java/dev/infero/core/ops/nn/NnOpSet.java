package dev.infero.core.ops.nn;

import dev.infero.core.op.OpFactories;

/** IR factories of the convolution, pooling, matrix-multiply and batch-norm ops: each op's declaration, registered. */
public final class NnOpSet {
    private NnOpSet() {
    }

    public static void register(OpFactories r) {
        Convolution.SPEC.register(r);
        GroupConvolution.SPEC.register(r);
        MaxPool.SPEC_1.register(r);
        MaxPool.SPEC_8.register(r);
        AvgPool.SPEC.register(r);
        MatMul.SPEC.register(r);
        DeformableConvolution.SPEC.register(r);
        BatchNormInference.SPEC.register(r, 1); // BatchNormInference-1 files have the same attribute
    }
}
