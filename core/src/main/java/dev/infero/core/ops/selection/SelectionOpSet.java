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
        r.registerAll(TopK.SPEC, ArgExtremum.SPEC, CumSum.SPEC, GatherElements.SPEC, GatherND.SPEC,
                NonMaxSuppression.SPEC, NonZero.SPEC, OneHot.SPEC, ScatterElementsUpdate.SPEC, ScatterNDUpdate.SPEC,
                Trilu.SPEC, Interpolate.SPEC_4, Interpolate.SPEC_11, dev.infero.core.ops.image.ImageDecoder.SPEC,
                FakeQuantize.SPEC, QuantizeLinear.SPEC);
    }
}
