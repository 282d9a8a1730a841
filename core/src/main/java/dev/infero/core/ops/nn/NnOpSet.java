package dev.infero.core.ops.nn;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;

/** IR factories of the convolution, pooling, matrix-multiply and batch-norm ops. */
public final class NnOpSet {
    private NnOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("Convolution", 1, a -> new Convolution(window(a, true)));
        r.register("GroupConvolution", 1, a -> new GroupConvolution(window(a, true)));
        r.register("MaxPool", 1, a -> new MaxPool(a.integers("kernel"), window(a, false), false));
        r.register("MaxPool", 8, a -> new MaxPool(a.integers("kernel"), window(a, true), true));
        r.register("AvgPool", 1, a -> new AvgPool(a.integers("kernel"), window(a, true),
                a.bool("exclude-pad", false)));
        MatMul.SPEC.register(r);
        r.register("DeformableConvolution", 8, DeformableConvolution::read);
        BatchNormInference.SPEC.register(r, 1); // BatchNormInference-1 files have the same attribute
    }

    /** Window attributes as IR writes them; pooling without {@code dilations} gets ones. */
    static WindowGeometry window(AttributeSource a, boolean dilated) {
        long[] strides = a.integers("strides");
        long[] ones = new long[strides.length];
        java.util.Arrays.fill(ones, 1);
        AutoPad autoPad = a.enumValue(AutoPad.class, "auto_pad", "explicit");
        return new WindowGeometry(strides, dilated && a.has("dilations") ? a.integers("dilations") : ones,
                a.integers("pads_begin", new long[strides.length]), a.integers("pads_end", new long[strides.length]),
                autoPad, roundingType(a));
    }

    /** {@code rounding_type}: floor (default) or ceil; anything else is an error naming the value. */
    private static boolean roundingType(AttributeSource a) {
        String r = a.string("rounding_type", "floor").toLowerCase(java.util.Locale.ROOT);
        return switch (r) {
            case "floor" -> false;
            case "ceil" -> true;
            default -> throw a.error("rounding_type '" + a.string("rounding_type", "") + "' is not floor or ceil");
        };
    }
}
