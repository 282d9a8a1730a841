package dev.infero.tf.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTensors;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import dev.infero.tf.proto.Tf.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Inputs, constants, identities and the (de)quantization of quantized graphs ({@code Dequantize}, {@code QuantizeV2}
 * in TensorFlow's MIN_COMBINED, MIN_FIRST and SCALED modes).
 */
public final class ConstantOps {
    private ConstantOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        r.put("Const", ConstantOps::constant);
        r.put("Placeholder", ConstantOps::placeholder);
        TfTranslator identity = n -> List.of(n.in(0));
        for (String op : List.of("Identity", "StopGradient", "Snapshot", "PreventGradient", "CheckNumerics",
                "PlaceholderWithDefault", "EnsureShape")) {
            r.put(op, identity);
        }
        r.put("IdentityN", n -> n.inputs());
        r.put("NoOp", n -> List.of());
        r.put("Dequantize", ConstantOps::dequantize);
        r.put("QuantizeV2", ConstantOps::quantizeV2);
    }

    private static List<TfValue> constant(TfNode n) {
        if (!n.has("value") || !n.attr("value").hasTensor()) {
            throw n.error("has no value tensor");
        }
        Tensor t = TfTensors.toTensor(n.attr("value").getTensor(), n.error("").getMessage()
                .replaceFirst(": $", ""));
        Value v = n.graph().addConstant(n.name(), t).output(0);
        return List.of(TfValue.plain(v));
    }

    private static List<TfValue> placeholder(TfNode n) {
        ElementType type = TfTensors.elementType(n.attrType("dtype", DataType.DT_FLOAT), "input '" + n.name() + "'");
        PartialShape shape = n.has("shape") ? TfTensors.shape(n.attr("shape").getShape(), "input '" + n.name() + "'")
                : PartialShape.unknownRank();
        if (!shape.hasRank() && n.imageInput()) {
            // read by NHWC image ops: a 4-D image batch of unknown size, channels as the op's weights say
            int c = n.imageChannels();
            shape = PartialShape.of(PartialShape.DYNAMIC, PartialShape.DYNAMIC, PartialShape.DYNAMIC,
                    c > 0 ? c : PartialShape.DYNAMIC);
        }
        Value v = n.graph().addParameter(n.name(), type, shape).output(0);
        return List.of(TfValue.plain(v));
    }

    /** Range of a quantized storage type. */
    private record Range(double lowest, double highest) {
        double span() {
            return highest - lowest;
        }

        boolean signed() {
            return lowest < 0;
        }

        static Range of(TfNode n, ElementType t) {
            return switch (t) {
                case U8 -> new Range(0, 255);
                case I8 -> new Range(-128, 127);
                case U16 -> new Range(0, 65535);
                case I16 -> new Range(-32768, 32767);
                case I32 -> new Range(Integer.MIN_VALUE, Integer.MAX_VALUE);
                default -> throw n.error("quantized type " + t + " is not supported");
            };
        }
    }

    /** Per-channel (or per-tensor) min and max of a quantized tensor, from constant inputs 1 and 2. */
    private static double[][] ranges(TfNode n) {
        Tensor min = n.constant(1, "min_range");
        Tensor max = n.constant(2, "max_range");
        if (min.size() != max.size() || min.size() == 0) {
            throw n.error("min_range and max_range must have the same, non-zero number of values");
        }
        double[][] r = new double[2][min.size()];
        for (int i = 0; i < min.size(); i++) {
            r[0][i] = min.getDouble(i);
            r[1][i] = max.getDouble(i);
        }
        return r;
    }

    /** {@code values} as a tensor broadcasting along {@code axis} of a rank-{@code rank} tensor (scalar for one). */
    private static Tensor along(double[] values, int axis, int rank) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        if (values.length == 1) {
            return Tensor.scalar(f[0]);
        }
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[axis] = values.length;
        return Tensor.of(f, shape);
    }

    private static int axis(TfNode n, Value x, int channels) {
        long axis = n.attrInt("axis", -1);
        if (channels == 1) {
            return 0;
        }
        PartialShape s = x.shape();
        if (!s.hasRank() || axis < 0 || axis >= s.rank()) {
            throw n.error(channels + " ranges need an axis within the input's rank, got axis " + axis + " for " + s);
        }
        return (int) axis;
    }

    /**
     * Dequantize: {@code out = q·scale + offset} per tensor or per {@code axis}. For a type of range R = max(T) -
     * min(T): MIN_COMBINED scale (max-min)/R from min (signed types shifted by (R+1)/2 first); MIN_FIRST scale
     * (max-min)/R from min at the lowest code; SCALED {@code max/max(T)} (signed: the larger of min/min(T) and
     * max/max(T)), no offset.
     */
    private static List<TfValue> dequantize(TfNode n) {
        Value q = n.plain(0);
        Range t = Range.of(n, q.type());
        double[][] r = ranges(n);
        String mode = n.attrString("mode", "MIN_COMBINED");
        boolean narrow = n.attrBool("narrow_range", false);
        int k = r[0].length;
        double[] scale = new double[k];
        double[] offset = new double[k];
        for (int c = 0; c < k; c++) {
            double min = r[0][c];
            double max = r[1][c];
            switch (mode) {
                case "MIN_COMBINED" -> {
                    scale[c] = (max - min) / t.span();
                    offset[c] = min + (t.signed() ? (t.span() + 1) / 2 * scale[c] : 0);
                }
                case "MIN_FIRST" -> {
                    scale[c] = (max - min) / t.span();
                    offset[c] = min - t.lowest() * scale[c];
                }
                case "SCALED" -> {
                    double lowest = t.lowest() + (narrow ? 1 : 0);
                    scale[c] = t.signed() ? Math.max(min / lowest, max / t.highest()) : max / t.highest();
                    offset[c] = 0;
                }
                default -> throw n.error("mode '" + mode + "' is not MIN_COMBINED, MIN_FIRST or SCALED");
            }
        }
        int rank = q.shape().hasRank() ? q.shape().rank() : 1;
        int axis = axis(n, q, k);
        ElementType out = TfTensors.elementType(n.attrType("dtype", DataType.DT_FLOAT), "dtype");
        boolean shifted = Arrays.stream(offset).anyMatch(o -> o != 0);
        Value y = n.helper("to_float", new Convert(ElementType.F32), q);
        Value scaled = n.constant(along(scale, axis, rank));
        y = shifted || out != ElementType.F32 ? n.helper("scale", new Multiply(), y, scaled) : n.add(new Multiply(), y, scaled);
        if (shifted) {
            Value o = n.constant(along(offset, axis, rank));
            y = out != ElementType.F32 ? n.helper("offset", new Add(), y, o) : n.add(new Add(), y, o);
        }
        if (out != ElementType.F32) {
            y = n.add(new Convert(out), y);
        }
        return List.of(TfValue.plain(y));
    }

    /**
     * QuantizeV2 with constant ranges: the range is first widened to include 0 and at least ensure_minimum_range (as
     * TensorFlow does), then {@code q = clamp(round(x·a + b))} in the mode's mapping. Outputs the codes and the range
     * used.
     */
    private static List<TfValue> quantizeV2(TfNode n) {
        Value x = n.plain(0);
        ElementType type = TfTensors.elementType(n.attrType("T", DataType.DT_QUINT8), "T");
        Range t = Range.of(n, type);
        double[][] r = ranges(n);
        String mode = n.attrString("mode", "MIN_COMBINED");
        String roundMode = n.attrString("round_mode", "HALF_AWAY_FROM_ZERO");
        boolean narrow = n.attrBool("narrow_range", false);
        double ensure = n.attrFloat("ensure_minimum_range", 0.01f);
        int k = r[0].length;
        double[] a = new double[k];
        double[] b = new double[k];
        double[] outMin = new double[k];
        double[] outMax = new double[k];
        for (int c = 0; c < k; c++) {
            double min = Math.min(0, r[0][c]);
            double epsilon = Math.max(1, Math.max(Math.abs(r[0][c]), Math.abs(r[1][c]))) * ensure;
            double max = Math.max(0, Math.max(r[1][c], min + epsilon));
            switch (mode) {
                case "MIN_COMBINED" -> {
                    a[c] = t.span() / (max - min);
                    b[c] = -min * a[c] - (t.signed() ? (t.span() + 1) / 2 : 0);
                }
                case "MIN_FIRST" -> {
                    a[c] = t.span() / (max - min);
                    b[c] = -Math.round(min * a[c]) + t.lowest();
                }
                case "SCALED" -> {
                    double lowest = t.lowest() + (narrow ? 1 : 0);
                    double s = t.signed() ? Math.max(min / lowest, max / t.highest()) : max / t.highest();
                    a[c] = 1 / s;
                    b[c] = 0;
                    if (t.signed()) {
                        min = lowest * s;
                        max = t.highest() * s;
                    } else {
                        min = 0;
                    }
                }
                default -> throw n.error("mode '" + mode + "' is not MIN_COMBINED, MIN_FIRST or SCALED");
            }
            outMin[c] = min;
            outMax[c] = max;
        }
        int rank = x.shape().hasRank() ? x.shape().rank() : 1;
        int axis = axis(n, x, k);
        Value y = n.add(new Multiply(), x, n.constant(along(a, axis, rank)));
        Round.Mode rounding = switch (roundMode) {
            case "HALF_AWAY_FROM_ZERO" -> Round.Mode.HALF_AWAY_FROM_ZERO;
            case "HALF_TO_EVEN" -> Round.Mode.HALF_TO_EVEN;
            default -> throw n.error("round_mode '" + roundMode + "' is not supported");
        };
        if (mode.equals("MIN_FIRST")) {
            y = n.add(new Round(rounding), y);
            y = n.add(new Add(), y, n.constant(along(b, axis, rank)));
        } else {
            if (Arrays.stream(b).anyMatch(v -> v != 0)) {
                y = n.add(new Add(), y, n.constant(along(b, axis, rank)));
            }
            y = n.add(new Round(rounding), y);
        }
        y = n.add(new Clamp(t.lowest() + (narrow && mode.equals("SCALED") ? 1 : 0), t.highest()), y);
        y = n.add(new Convert(type), y);
        List<TfValue> outs = new ArrayList<>();
        outs.add(TfValue.plain(y));
        outs.add(TfValue.plain(n.constant(along(outMin, 0, 1))));
        outs.add(TfValue.plain(n.constant(along(outMax, 0, 1))));
        return outs;
    }
}
