package dev.infero.core.ops.image;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Interpolate-11: resizes the dimensions listed in input 2 (axes; all dimensions when absent) to the sizes
 * ({@code shape_calculation_mode="sizes"}, integer input 1) or by the factors ({@code "scales"}, float input 1:
 * {@code out = floor(in * scale)}) of input 1. Each output coordinate {@code x} maps to an input coordinate by
 * {@code coordinate_transformation_mode}, with {@code scale} the factor given (scales) or {@code out / in} (sizes):
 * <ul>
 * <li>{@code half_pixel}: {@code (x + 0.5) / scale - 0.5}; {@code pytorch_half_pixel}: the same, but 0 when the
 * output has size 1; {@code asymmetric}: {@code x / scale}; {@code align_corners}:
 * {@code x * (in - 1) / (in * scale - 1)} (0 for size 1); {@code tf_half_pixel_for_nn}: {@code (x + 0.5) / scale}.
 * </ul>
 * Modes: {@code nearest} (rounding by {@code nearest_mode}: round_prefer_floor, round_prefer_ceil, floor, ceil,
 * simple = ceil when downsampling, else floor), {@code linear_onnx} (linear interpolation along every axis), and
 * {@code cubic} (Keys kernel with {@code cube_coeff}). Neighbours beyond the edge repeat the edge value.
 * {@code antialias} widens the linear/cubic kernel by {@code 1/scale} when downsampling (weights renormalised).
 * Each axis is interpolated separately, which is exact for these tensor-product kernels.
 *
 * <p>Infero extensions for ONNX Resize features OpenVINO lacks (written only when not at their defaults):
 * coordinate modes {@code half_pixel_symmetric} and {@code tf_crop_and_resize} (with an optional input 3, the roi:
 * starts then ends per axis, normalised to [0, 1]; points outside the input become {@code extrapolation_value}),
 * {@code exclude_outside} (cubic weights of outside neighbours are dropped and the rest renormalised), and
 * {@code keep_aspect_ratio_policy} for sizes ({@code not_larger}/{@code not_smaller}: one scale, the min/max of
 * {@code size / in}, for every axis, output {@code round(in * scale)}). pads_begin/pads_end must be zero.
 */
public final class Interpolate extends Op {
    private static final List<String> MODES = List.of("nearest", "linear_onnx", "cubic");
    private static final List<String> COORDINATE_MODES = List.of("half_pixel", "pytorch_half_pixel", "asymmetric",
            "tf_half_pixel_for_nn", "align_corners", "half_pixel_symmetric", "tf_crop_and_resize");
    private static final List<String> NEAREST_MODES = List.of("round_prefer_floor", "round_prefer_ceil", "floor",
            "ceil", "simple");
    private static final List<String> ASPECT_POLICIES = List.of("stretch", "not_larger", "not_smaller");

    /** The attributes, named as in the IR. */
    public record Attributes(String mode, boolean sizes, String coordinateMode, String nearestMode, boolean antialias,
                             double cubeCoeff, boolean excludeOutside, double extrapolationValue,
                             String keepAspectRatioPolicy) {
        public Attributes {
            check(MODES, mode, "mode");
            check(COORDINATE_MODES, coordinateMode, "coordinate_transformation_mode");
            check(NEAREST_MODES, nearestMode, "nearest_mode");
            check(ASPECT_POLICIES, keepAspectRatioPolicy, "keep_aspect_ratio_policy");
        }

        /** Defaults of Interpolate-11 for the given mode and shape calculation. */
        public static Attributes of(String mode, boolean sizes) {
            return new Attributes(mode, sizes, "half_pixel", "round_prefer_floor", false, -0.75, false, 0, "stretch");
        }

        private static void check(List<String> allowed, String value, String what) {
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("Interpolate " + what + " '" + value + "' is not supported (one of "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    private static final Attribute<Interpolate, String> MODE = Attribute.string("mode", i -> i.a.mode());
    private static final Attribute<Interpolate, String> SHAPE_CALCULATION = Attribute.string("shape_calculation_mode",
            i -> i.a.sizes() ? "sizes" : "scales");
    private static final Attribute<Interpolate, String> COORDINATE_MODE = Attribute.<Interpolate>string(
            "coordinate_transformation_mode", i -> i.a.coordinateMode()).orElse("half_pixel");
    private static final Attribute<Interpolate, String> NEAREST_MODE = Attribute.<Interpolate>string("nearest_mode",
            i -> i.a.nearestMode()).orElse("round_prefer_floor");
    private static final Attribute<Interpolate, Boolean> ANTIALIAS = Attribute.<Interpolate>bool("antialias",
            i -> i.a.antialias()).orElse(false);
    /** Always written as zero: other pads are refused when read. */
    private static final Attribute<Interpolate, long[]> PADS_BEGIN = Attribute.<Interpolate>integers("pads_begin",
            i -> new long[] {0}).orElse(new long[0]);
    private static final Attribute<Interpolate, long[]> PADS_END = Attribute.<Interpolate>integers("pads_end",
            i -> new long[] {0}).orElse(new long[0]);
    private static final Attribute<Interpolate, Double> CUBE_COEFF = Attribute.<Interpolate>number("cube_coeff",
            i -> i.a.cubeCoeff()).orElse(-0.75);
    private static final Attribute<Interpolate, Boolean> EXCLUDE_OUTSIDE = Attribute.<Interpolate>bool(
            "exclude_outside", i -> i.a.excludeOutside()).orElse(false).writtenWhen(i -> i.a.excludeOutside());
    private static final Attribute<Interpolate, Double> EXTRAPOLATION_VALUE = Attribute.<Interpolate>number(
            "extrapolation_value", i -> i.a.extrapolationValue()).orElse(0.0)
            .writtenWhen(i -> i.a.coordinateMode().equals("tf_crop_and_resize"));
    private static final Attribute<Interpolate, String> KEEP_ASPECT_RATIO_POLICY = Attribute.<Interpolate>string(
            "keep_aspect_ratio_policy", i -> i.a.keepAspectRatioPolicy()).orElse("stretch")
            .writtenWhen(i -> !i.a.keepAspectRatioPolicy().equals("stretch"));
    public static final OpSpec<Interpolate> SPEC_4 = spec("opset4", a -> opset4(read(a)));
    public static final OpSpec<Interpolate> SPEC_11 = spec("opset11", a -> new Interpolate(read(a)));

    private final Attributes a;
    /** Interpolate-4 takes sizes and scales as inputs 1 and 2 (using one by shape_calculation_mode), axes as 3. */
    private final boolean opset4;
    private final int valuesInput;
    private final int axesInput;

    public Interpolate(Attributes attributes) {
        this(attributes, false);
    }

    private Interpolate(Attributes attributes, boolean opset4) {
        this.a = attributes;
        this.opset4 = opset4;
        this.valuesInput = opset4 && !attributes.sizes() ? 2 : 1;
        this.axesInput = opset4 ? 3 : 2;
    }

    private static OpSpec<Interpolate> spec(String version, Function<AttributeSource, Interpolate> factory) {
        return OpSpec.of(Interpolate.class, "Interpolate", version, factory, MODE, SHAPE_CALCULATION,
                COORDINATE_MODE, NEAREST_MODE, ANTIALIAS, PADS_BEGIN, PADS_END, CUBE_COEFF, EXCLUDE_OUTSIDE,
                EXTRAPOLATION_VALUE, KEEP_ASPECT_RATIO_POLICY);
    }

    /** The Interpolate-4 form that OpenVINO IR of v4-era models uses (same attributes, other input layout). */
    public static Interpolate opset4(Attributes attributes) {
        return new Interpolate(attributes, true);
    }

    /** The attributes (mode, coordinate and nearest rounding modes, ...). */
    public Attributes attributes() {
        return a;
    }

    /** Interpolate-4 or Interpolate-11: one set of attributes, two input layouts. */
    @Override
    public OpSpec<Interpolate> spec() {
        return opset4 ? SPEC_4 : SPEC_11;
    }

    /** The attributes {@code a} declares; non-zero pads are an error naming the layer. */
    private static Attributes read(AttributeSource a) {
        if (Arrays.stream(PADS_BEGIN.read(a)).anyMatch(p -> p != 0)
                || Arrays.stream(PADS_END.read(a)).anyMatch(p -> p != 0)) {
            throw a.error("uses non-zero pads_begin/pads_end, which Infero's Interpolate does not support");
        }
        return new Attributes(MODE.read(a), SHAPE_CALCULATION.read(a).equals("sizes"), COORDINATE_MODE.read(a),
                NEAREST_MODE.read(a), ANTIALIAS.read(a), CUBE_COEFF.read(a), EXCLUDE_OUTSIDE.read(a),
                EXTRAPOLATION_VALUE.read(a), KEEP_ASPECT_RATIO_POLICY.read(a));
    }

    /** The resized axes with their output sizes and coordinate scales, for concrete shapes and known inputs. */
    private record Plan(int[] axes, int[] sizes, double[] scales) {
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (!ctx.inputType(0).isFloating()) {
            throw ctx.error("data must be floating point, got " + ctx.inputType(0));
        }
        if (a.sizes() == ctx.inputType(valuesInput).isFloating()) {
            throw ctx.error("shape_calculation_mode=" + (a.sizes() ? "sizes needs integer sizes" : "scales needs float scales")
                    + ", got " + ctx.inputType(valuesInput));
        }
        if (!in.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), in);
            return;
        }
        int[] dims = in.dimsOrDynamic();
        Tensor values = ctx.inputValue(valuesInput);
        Tensor axesValue = ctx.hasInput(axesInput) ? ctx.inputValue(axesInput) : null;
        if (values == null || ctx.hasInput(axesInput) && axesValue == null) {
            int[] axes = axesValue != null ? axes(ctx, axesValue, in.rank()) : null;
            for (int d = 0; d < dims.length; d++) {
                if (axes == null || contains(axes, d)) {
                    dims[d] = PartialShape.DYNAMIC;
                }
            }
            ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
            return;
        }
        int[] axes = axesValue != null ? axes(ctx, axesValue, in.rank()) : allAxes(in.rank());
        if (values.size() != axes.length) {
            throw ctx.error("scales_or_sizes has " + values.size() + " values for " + axes.length + " axes");
        }
        for (int axis : axes) {
            if (dims[axis] == PartialShape.DYNAMIC) {
                for (int d : axes) {
                    dims[d] = a.sizes() && a.keepAspectRatioPolicy().equals("stretch")
                            ? (int) values.getLong(indexOf(axes, d)) : PartialShape.DYNAMIC;
                }
                ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
                return;
            }
        }
        Plan plan = plan(ctx, dims, values, axes);
        for (int i = 0; i < axes.length; i++) {
            dims[axes[i]] = plan.sizes()[i];
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
    }

    private Plan plan(InferContext ctx, int[] in, Tensor values, int[] axes) {
        int n = axes.length;
        int[] sizes = new int[n];
        double[] scales = new double[n];
        if (!a.sizes()) {
            for (int i = 0; i < n; i++) {
                scales[i] = values.getDouble(i);
                if (!(scales[i] > 0)) {
                    throw error(ctx, "scales must be positive, got " + scales[i]);
                }
                sizes[i] = (int) Math.floor(in[axes[i]] * scales[i]);
            }
        } else if (a.keepAspectRatioPolicy().equals("stretch")) {
            for (int i = 0; i < n; i++) {
                sizes[i] = (int) values.getLong(i);
                if (sizes[i] < 0) {
                    throw error(ctx, "sizes must not be negative, got " + sizes[i]);
                }
                scales[i] = (double) sizes[i] / in[axes[i]];
            }
        } else {
            boolean notLarger = a.keepAspectRatioPolicy().equals("not_larger");
            double scale = notLarger ? Double.POSITIVE_INFINITY : 0;
            for (int i = 0; i < n; i++) {
                double s = (double) values.getLong(i) / in[axes[i]];
                scale = notLarger ? Math.min(scale, s) : Math.max(scale, s);
            }
            for (int i = 0; i < n; i++) {
                scales[i] = scale;
                sizes[i] = (int) Math.rint(scale * in[axes[i]]);
            }
        }
        return new Plan(axes, sizes, scales);
    }

    private static dev.infero.core.InferoException error(InferContext ctx, String message) {
        return ctx == null ? new dev.infero.core.InferoException(message) : ctx.error(message);
    }

    private static int[] axes(InferContext ctx, Tensor axes, int rank) {
        int[] out = new int[axes.size()];
        for (int i = 0; i < out.length; i++) {
            long v = axes.getLong(i);
            if (v < -rank || v >= rank) {
                throw error(ctx, "axis " + v + " is out of range for rank " + rank);
            }
            out[i] = Shapes.normalizeAxis(v, rank);
            for (int j = 0; j < i; j++) {
                if (out[j] == out[i]) {
                    throw error(ctx, "axis " + v + " is listed twice");
                }
            }
        }
        return out;
    }

    private static int[] allAxes(int rank) {
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = i;
        }
        return out;
    }

    private static boolean contains(int[] values, int v) {
        return indexOf(values, v) >= 0;
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The resampling of one axis: per output point {@code o}, {@code taps} input indices (clamped to the edge)
     * {@code index[o * taps + t]} with weights {@code weight[o * taps + t]}, exactly as {@link #evaluate} applies them.
     */
    public record AxisTaps(int inSize, int outSize, int taps, int[] index, double[] weight) {
    }

    /**
     * How {@link #evaluate} resamples every axis of data of shape {@code dataShape}, given the other inputs (index 0
     * unused), or {@code null} for crops (tf_crop_and_resize), whose points may lie outside the input. An axis not
     * resized maps each point to itself with weight 1.
     */
    public AxisTaps[] axisTaps(int[] dataShape, Tensor[] inputs) {
        if (a.coordinateMode().equals("tf_crop_and_resize")) {
            return null;
        }
        int rank = dataShape.length;
        int[] axes = inputs.length > axesInput && inputs[axesInput] != null ? axes(null, inputs[axesInput], rank)
                : allAxes(rank);
        Plan plan = plan(null, dataShape, inputs[valuesInput], axes);
        AxisTaps[] out = new AxisTaps[rank];
        for (int d = 0; d < rank; d++) {
            int i = indexOf(axes, d);
            if (i < 0) {
                int[] index = new int[dataShape[d]];
                double[] weight = new double[dataShape[d]];
                for (int o = 0; o < index.length; o++) {
                    index[o] = o;
                    weight[o] = 1;
                }
                out[d] = new AxisTaps(dataShape[d], dataShape[d], 1, index, weight);
                continue;
            }
            Resampling r = Resampling.of(a, dataShape[d], plan.sizes()[i], plan.scales()[i], 0, 1);
            out[d] = new AxisTaps(dataShape[d], plan.sizes()[i], r.taps(), r.index(), r.weight());
        }
        return out;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        int[] axes = inputs.length > axesInput && inputs[axesInput] != null ? axes(null, inputs[axesInput], data.rank())
                : allAxes(data.rank());
        Plan plan = plan(null, data.shape(), inputs[valuesInput], axes);
        Tensor roi = !opset4 && inputs.length > 3 ? inputs[3] : null;
        int[] shape = data.shape().clone();
        double[] current = new double[data.size()];
        for (int i = 0; i < current.length; i++) {
            current[i] = data.getDouble(i);
        }
        for (int i = 0; i < axes.length; i++) {
            int axis = axes[i];
            double roiStart = roi == null ? 0 : roi.getDouble(i);
            double roiEnd = roi == null ? 1 : roi.getDouble(i + axes.length);
            Resampling r = Resampling.of(a, shape[axis], plan.sizes()[i], plan.scales()[i], roiStart, roiEnd);
            current = r.apply(current, shape, axis);
            shape[axis] = plan.sizes()[i];
        }
        Tensor out = outputs[0];
        for (int i = 0; i < out.size(); i++) {
            out.setDouble(i, current[i]);
        }
    }
}
