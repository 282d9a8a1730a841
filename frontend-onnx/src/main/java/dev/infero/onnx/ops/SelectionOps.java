package dev.infero.onnx.ops;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.ops.selection.ArgExtremum;
import dev.infero.core.ops.selection.CumSum;
import dev.infero.core.ops.selection.GatherElements;
import dev.infero.core.ops.selection.GatherND;
import dev.infero.core.ops.selection.NonMaxSuppression;
import dev.infero.core.ops.selection.NonZero;
import dev.infero.core.ops.selection.OneHot;
import dev.infero.core.ops.selection.ScatterElementsUpdate;
import dev.infero.core.ops.selection.ScatterNDUpdate;
import dev.infero.core.ops.selection.TopK;
import dev.infero.core.ops.selection.Trilu;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Arg-max/min, top-k, non-max suppression, gather/scatter by index, one-hot, resize, quantization. */
public final class SelectionOps {
    private SelectionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("TopK", SelectionOps::topK);
        r.put("ArgMax", n -> argExtremum(n, true));
        r.put("ArgMin", n -> argExtremum(n, false));
        r.put("NonMaxSuppression", SelectionOps::nonMaxSuppression);
        r.put("NonZero", n -> List.of(n.add(new NonZero(ElementType.I64), n.requireInput(0))));
        r.put("GatherElements", n -> List.of(n.add(new GatherElements(n.attrInt("axis", 0)), n.requireInput(0),
                n.requireInput(1))));
        r.put("GatherND", n -> List.of(n.add(new GatherND((int) n.attrInt("batch_dims", 0)), n.requireInput(0),
                n.requireInput(1))));
        r.put("Scatter", SelectionOps::scatterElements);
        r.put("ScatterElements", SelectionOps::scatterElements);
        r.put("ScatterND", n -> List.of(n.add(new ScatterNDUpdate(reduction(n)), n.requireInput(0), n.requireInput(1),
                n.requireInput(2))));
        r.put("OneHot", SelectionOps::oneHot);
        r.put("Trilu", n -> List.of(n.add(new Trilu(n.attrInt("upper", 1) != 0), n.requireInput(0),
                n.hasInput(1) ? scalar(n, n.input(1)) : null)));
        r.put("CumSum", n -> List.of(n.add(new CumSum(n.attrInt("exclusive", 0) != 0, n.attrInt("reverse", 0) != 0),
                n.requireInput(0), scalar(n, n.requireInput(1)))));
        r.put("Resize", SelectionOps::resize);
        r.put("Upsample", SelectionOps::resize);
        r.put("QuantizeLinear", SelectionOps::quantizeLinear);
        r.put("DequantizeLinear", SelectionOps::dequantizeLinear);
    }

    /** A single-element input (ONNX often allows shape [1] where OpenVINO wants a scalar) as a scalar. */
    private static Value scalar(OnnxNode n, Value v) {
        if (v.shape().hasRank() && v.shape().rank() == 0) {
            return v;
        }
        return n.add(new Reshape(false), v, n.constant(Tensor.vector()));
    }

    private static List<Value> topK(OnnxNode n) {
        Value k = n.opset() < 10 ? n.constant(Tensor.scalar(n.attrInt("k", 0))) : scalar(n, n.requireInput(1));
        boolean largest = n.attrInt("largest", 1) != 0;
        String sort = n.attrInt("sorted", 1) != 0 ? "value" : "none";
        Node topK = n.addNode(new TopK(n.attrInt("axis", -1), largest, sort, ElementType.I64, true),
                n.requireInput(0), k);
        return topK.outputs();
    }

    /**
     * ArgMax/ArgMin as OpenVINO imports them, TopK(k=1) then Squeeze of the axis unless keepdims; TopK keeps the first
     * of equal values, so select_last_index=1 (opset 12) uses Infero's ArgExtremum instead.
     */
    private static List<Value> argExtremum(OnnxNode n, boolean largest) {
        long axis = n.attrInt("axis", 0);
        Value data = n.requireInput(0);
        Value index;
        if (n.attrInt("select_last_index", 0) != 0) {
            index = n.add(new ArgExtremum(axis, largest, true), data);
        } else {
            index = n.addNode(new TopK(axis, largest, "none", ElementType.I64, true), data,
                    n.constant(Tensor.scalar(1L))).output(1);
        }
        if (n.attrInt("keepdims", 1) == 0) {
            index = n.add(new Squeeze(), index, n.constant(Tensor.vector(axis)));
        }
        return List.of(index);
    }

    private static List<Value> nonMaxSuppression(OnnxNode n) {
        List<Value> in = new ArrayList<>(List.of(n.requireInput(0), n.requireInput(1)));
        for (int i = 2; i < 5; i++) {
            in.add(n.hasInput(i) ? scalar(n, n.input(i)) : null);
        }
        NonMaxSuppression op = new NonMaxSuppression(n.attrInt("center_point_box", 0) != 0, false, ElementType.I64);
        return List.of(n.add(op, in.toArray(Value[]::new)));
    }

    private static List<Value> scatterElements(OnnxNode n) {
        ScatterElementsUpdate op = new ScatterElementsUpdate(reduction(n), true);
        return List.of(n.add(op, n.requireInput(0), n.requireInput(1), n.requireInput(2),
                n.constant(Tensor.scalar(n.attrInt("axis", 0)))));
    }

    /** ONNX reduction names (opset 16+) in OpenVINO spelling. */
    private static String reduction(OnnxNode n) {
        return n.attrChoice("reduction", "none", Map.of("none", "none", "max", "max", "min", "min", "add", "sum",
                "mul", "prod"));
    }

    /** OneHot: depth becomes an integer scalar, values [off, on] are split, negative indices count from the end. */
    private static List<Value> oneHot(OnnxNode n) {
        Value indices = n.requireInput(0);
        if (!indices.type().isInteger()) {
            indices = n.add(new Convert(ElementType.I64), indices);
        }
        Value depth = n.requireInput(1);
        if (!depth.type().isInteger()) {
            depth = n.add(new Convert(ElementType.I64), depth);
        }
        Value values = n.requireInput(2);
        Value off = scalar(n, n.add(new GatherElements(0), values, n.constant(Tensor.vector(0))));
        Value on = scalar(n, n.add(new GatherElements(0), values, n.constant(Tensor.vector(1))));
        return List.of(n.add(new OneHot(n.attrInt("axis", -1), true), indices, scalar(n, depth), on, off));
    }

    /**
     * Resize (opsets 10-19) and Upsample (7, 9) to Interpolate-11. Before opset 11 both are asymmetric with nearest
     * rounding down (OpenVINO's "simple") and scales only; from 11 the inputs are X, roi, scales, sizes, where an
     * empty scales tensor means "use sizes".
     */
    private static List<Value> resize(OnnxNode n) {
        Value data = n.requireInput(0);
        String mode = n.attrChoice("mode", "nearest", Map.of("nearest", "nearest", "linear", "linear_onnx",
                "bilinear", "linear_onnx", "cubic", "cubic"));
        boolean legacy = n.opType().equals("Upsample") || n.opset() < 11;
        if (legacy) {
            Value scales;
            if (n.opType().equals("Upsample") && n.opset() < 9) {
                float[] s = n.attrFloats("scales", null);
                if (s == null) {
                    throw n.error("has no scales attribute");
                }
                scales = n.constant(Tensor.of(s, s.length));
            } else {
                scales = n.requireInput(1);
            }
            Interpolate.Attributes a = new Interpolate.Attributes(mode, false, "asymmetric", "simple", false, -0.75,
                    false, 0, "stretch");
            return List.of(n.add(new Interpolate(a), data, scales));
        }
        Value scales = n.input(2);
        boolean useSizes = scales == null || isEmpty(scales);
        Value values = useSizes ? n.requireInput(3) : scales;
        if (n.attrInt("antialias", 0) != 0 && mode.equals("nearest")) {
            throw n.error("antialias applies to linear and cubic modes only");
        }
        String coordinateMode = n.attrString("coordinate_transformation_mode", "half_pixel");
        Interpolate.Attributes a = new Interpolate.Attributes(mode, useSizes, coordinateMode,
                n.attrString("nearest_mode", "round_prefer_floor"), n.attrInt("antialias", 0) != 0,
                n.attrFloat("cubic_coeff_a", -0.75f), n.attrInt("exclude_outside", 0) != 0,
                n.attrFloat("extrapolation_value", 0), n.attrString("keep_aspect_ratio_policy", "stretch"));
        long[] axes = n.attrInts("axes", null);
        if (axes == null && coordinateMode.equals("tf_crop_and_resize") && data.shape().hasRank()) {
            // The roi comes after the axes input: spell out "all axes" so no input is left absent before it.
            axes = java.util.stream.LongStream.range(0, data.shape().rank()).toArray();
        }
        Value axesValue = axes == null ? null : n.constant(Tensor.vector(axes));
        if (coordinateMode.equals("tf_crop_and_resize")) {
            return List.of(n.add(new Interpolate(a), data, values, axesValue, n.requireInput(1)));
        }
        return List.of(n.add(new Interpolate(a), data, values, axesValue));
    }

    private static boolean isEmpty(Value v) {
        PartialShape s = v.shape();
        return s.isStatic() && s.rank() == 1 && s.dim(0) == 0;
    }

    /**
     * Quantization parameters shaped to broadcast against x: a 1-D per-axis tensor (one value per slice along axis)
     * becomes [D, 1, ..., 1]; with block_size B (opset 21) each value covers B consecutive elements along axis, so it
     * is expanded to x's shape by GatherElements with index {@code i / B}.
     */
    private static Value alongAxis(OnnxNode n, Value param, Value x) {
        long blockSize = n.attrInt("block_size", 0);
        boolean perAxis = param.shape().hasRank() && param.shape().rank() == 1;
        if (!perAxis && blockSize == 0) {
            return param;
        }
        if (!x.shape().hasRank()) {
            throw n.error("per-axis quantization needs the rank of the input");
        }
        int rank = x.shape().rank();
        int axis = (int) (n.opset() >= 13 ? n.attrInt("axis", 1) : 1);
        axis = axis < 0 ? axis + rank : axis;
        if (blockSize > 0) {
            return expandBlocks(n, param, x, axis, blockSize);
        }
        if (rank - axis - 1 <= 0) {
            return param;
        }
        long[] trailing = new long[rank - axis - 1];
        for (int i = 0; i < trailing.length; i++) {
            trailing[i] = i + 1;
        }
        return n.add(new Unsqueeze(), param, n.constant(Tensor.vector(trailing)));
    }

    private static Value expandBlocks(OnnxNode n, Value param, Value x, int axis, long blockSize) {
        if (!x.shape().isStatic()) {
            throw n.error("blocked quantization needs a static input shape, got " + x.shape());
        }
        int[] shape = x.shape().toArray();
        Tensor index = Tensor.allocate(ElementType.I64, shape);
        int inner = dev.infero.core.types.Shapes.product(shape, axis + 1, shape.length);
        for (int i = 0; i < index.size(); i++) {
            index.longs()[i] = (i / inner) % shape[axis] / blockSize;
        }
        return n.add(new GatherElements(axis), param, n.constant(index));
    }

    private static List<Value> quantizeLinear(OnnxNode n) {
        Value x = n.requireInput(0);
        Value zero = n.hasInput(2) ? alongAxis(n, n.input(2), x) : null;
        ElementType type = zero != null ? zero.type()
                : n.attrInt("output_dtype", 0) != 0 ? TensorProtos.elementType((int) n.attrInt("output_dtype", 0),
                "QuantizeLinear output_dtype") : ElementType.U8;
        return List.of(n.add(new QuantizeLinear(type, n.attrInt("saturate", 1) != 0), x,
                alongAxis(n, n.requireInput(1), x), zero));
    }

    /** (x - zero_point) * scale, computed in the scale's type: Convert, Subtract, Multiply as OpenVINO does. */
    private static List<Value> dequantizeLinear(OnnxNode n) {
        Value x = n.requireInput(0);
        Value scale = alongAxis(n, n.requireInput(1), x);
        ElementType type = scale.type();
        Value shifted = n.add(new Convert(type), x);
        if (n.hasInput(2)) {
            Value zero = n.add(new Convert(type), alongAxis(n, n.input(2), x));
            shifted = n.add(new Subtract(), shifted, zero);
        }
        return List.of(n.add(new Multiply(), shifted, scale));
    }
}
