package dev.infero.core.ops.selection;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.types.ElementType;

/** IR factories of the selection, resampling and quantization ops (read what each op's {@code describe} writes). */
public final class SelectionOpSet {
    private SelectionOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("TopK", 11, a -> new TopK(a.integer("axis"), a.string("mode").equals("max"),
                a.string("sort", "none"), indexType(a, "index_element_type"), a.bool("stable", false)));
        r.register("ArgExtremum", OpFactories.INFERO_OPSET, a -> new ArgExtremum(a.integer("axis"),
                a.string("mode").equals("max"), a.bool("select_last_index", false)));
        r.register("CumSum", 3, a -> new CumSum(a.bool("exclusive", false), a.bool("reverse", false)));
        r.register("GatherElements", 6, a -> new GatherElements(a.integer("axis")));
        r.register("GatherND", 8, a -> new GatherND((int) a.integer("batch_dims", 0)));
        r.register("NonMaxSuppression", 9, a -> new NonMaxSuppression(
                a.string("box_encoding", "corner").equals("center"), a.bool("sort_result_descending", true),
                indexType(a, "output_type")));
        r.register("NonZero", 3, a -> new NonZero(indexType(a, "output_type")));
        r.register("OneHot", 16, a -> new OneHot(a.integer("axis"),
                a.string("negative_indices_mode", "ignore_negative").equals("normalize")));
        r.register("ScatterElementsUpdate", 12, a -> new ScatterElementsUpdate(a.string("reduction", "none"),
                a.bool("use_init_val", true)));
        r.register("ScatterNDUpdate", 15, a -> new ScatterNDUpdate(a.string("reduction", "none")));
        r.register("Trilu", OpFactories.INFERO_OPSET, a -> new Trilu(a.bool("upper", true)));
        r.register("Interpolate", 4, a -> Interpolate.opset4(interpolation(a)));
        r.register("Interpolate", 11, a -> new Interpolate(interpolation(a)));
        r.register("ImageDecoder", OpFactories.INFERO_OPSET, a -> new dev.infero.core.ops.image.ImageDecoder(
                a.enumValue(dev.infero.core.ops.image.ImageDecoder.PixelFormat.class, "pixel_format", "rgb")));
        r.register("FakeQuantize", 1, a -> new FakeQuantize(a.integer("levels")));
        r.register("QuantizeLinear", OpFactories.INFERO_OPSET,
                a -> new QuantizeLinear(a.elementType("destination_type"), a.bool("saturate", true)));
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

    private static ElementType indexType(AttributeSource a, String name) {
        return a.has(name) ? a.elementType(name) : ElementType.I64;
    }
}
