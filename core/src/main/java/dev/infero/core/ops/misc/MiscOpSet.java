package dev.infero.core.ops.misc;

import dev.infero.core.op.OpFactories;

/** IR factories of the signal, sampling, sequence and linear-algebra ops of this package. */
public final class MiscOpSet {
    private MiscOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(GridSample.SPEC, CumProd.SPEC, ReverseSequence.SPEC, Determinant.SPEC, Eye.SPEC, Einsum.SPEC,
                RotaryEmbedding.SPEC, CenterCropPad.SPEC, Unique.SPEC, Col2Im.SPEC, AffineGrid.SPEC, TensorScatter.SPEC,
                LinearAttention.SPEC, Stft.SPEC, MelWeightMatrix.SPEC, MaxUnpool.SPEC);
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            FourierTransform.spec(kind).register(r);
        }
    }
}
