package dev.infero.core.ops.selection;

import dev.infero.core.op.OpFactories;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;

/**
 * IR factories of the selection, resampling and quantization ops: each op's declaration ({@code SPEC}), registered.
 */
public final class SelectionOpSet {
    private SelectionOpSet() {
    }

    public static void register(OpFactories r) {
        TopK.SPEC.register(r);
        ArgExtremum.SPEC.register(r);
        CumSum.SPEC.register(r);
        GatherElements.SPEC.register(r);
        GatherND.SPEC.register(r);
        NonMaxSuppression.SPEC.register(r);
        NonZero.SPEC.register(r);
        OneHot.SPEC.register(r);
        ScatterElementsUpdate.SPEC.register(r);
        ScatterNDUpdate.SPEC.register(r);
        Trilu.SPEC.register(r);
        Interpolate.SPEC_4.register(r);
        Interpolate.SPEC_11.register(r);
        dev.infero.core.ops.image.ImageDecoder.SPEC.register(r);
        FakeQuantize.SPEC.register(r);
        QuantizeLinear.SPEC.register(r);
    }
}
