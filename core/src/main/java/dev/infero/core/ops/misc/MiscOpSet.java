package dev.infero.core.ops.misc;

import dev.infero.core.op.OpFactories;

/** IR factories of the signal, sampling, sequence and linear-algebra ops of this package. */
public final class MiscOpSet {
    private MiscOpSet() {
    }

    public static void register(OpFactories r) {
        GridSample.SPEC.register(r);
        CumProd.SPEC.register(r);
        ReverseSequence.SPEC.register(r);
        Determinant.SPEC.register(r);
        Eye.SPEC.register(r);
        Einsum.SPEC.register(r);
        RotaryEmbedding.SPEC.register(r);
        CenterCropPad.SPEC.register(r);
        Unique.SPEC.register(r);
        Col2Im.SPEC.register(r);
        AffineGrid.SPEC.register(r);
        TensorScatter.SPEC.register(r);
        LinearAttention.SPEC.register(r);
        Stft.SPEC.register(r);
        MelWeightMatrix.SPEC.register(r);
        MaxUnpool.SPEC.register(r);
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform.spec(kind).register(r);
        }
    }
}
