package dev.infero.core.ops.selection;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;

/**
 * IR factories of the selection, resampling and quantization ops: the declared ones ({@code SPEC}) registered, the
 * others reading what their {@code describe} writes.
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
        r.register("Interpolate", 4, a -> Interpolate.opset4(interpolation(a)));
        r.register("Interpolate", 11, a -> new Interpolate(interpolation(a)));
        dev.infero.core.ops.image.ImageDecoder.SPEC.register(r);
        FakeQuantize.SPEC.register(r);
        QuantizeLinear.SPEC.register(r);
    }

    private static Interpolate.Attributes interpolation(AttributeSource a) {
        long[] pads = a.integers("pads_begin", new long[0]);
        long[] padsEnd = a.integers("pads_end", new long[0]);
        if (java.util.Arrays.stream(pads).anyMatch(p -> p != 0) || java.util.Arrays.stream(padsEnd).anyMatch(p -> p != 0)) {
            throw a.error("uses non-zero pads_begin/pads_end, which Infero's Interpolate does not support");
        }
        return new Interpolate.Attributes(a.string("mode"), a.string("shape_calculation_mode").equals("sizes"),
                a.string("coordinate_transformation_mode", "half_pixel"), a.string("nearest_mode", "round_prefer_floor"),
                a.bool("antialias", false), a.number("cube_coeff", -0.75), a.bool("exclude_outside", false),
                a.number("extrapolation_value", 0), a.string("keep_aspect_ratio_policy", "stretch"));
    }
}
