package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.AxisSoftmax;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.reduce.Reduction;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.ModelProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes an Infero graph as an ONNX model (opset {@value #OPSET}), the ops of converted CNNs, and an INT8 model as
 * quantize writes it as a QDQ model:
 * <ul>
 *   <li>{@code FakeQuantize} (levels 256, output range = input range, zero on a level) becomes
 *       {@code QuantizeLinear → DequantizeLinear} with {@code scale = (high − low) / 255} and
 *       {@code zero_point = −low / scale}: int8 with zero point 0 when the range is the signed symmetric one
 *       [−128·scale, 127·scale], otherwise uint8. Both round half to even as FakeQuantize does, so they compute the
 *       same levels; per-channel ranges (shape [1, C, 1, ...]) become per-axis parameters on axis 1.</li>
 *   <li>weights {@code Const i8 → Convert f32 → Multiply(scale)} become an int8 initializer and a
 *       {@code DequantizeLinear} with per-axis scales on the output-channel axis (0 for Conv).</li>
 *   <li>a per-channel bias {@code Add} after such a convolution of a quantized input becomes the Conv's third input:
 *       an int32 initializer {@code round(bias / (x_scale · w_scale))} through a {@code DequantizeLinear} with
 *       scale {@code x_scale · w_scale} and zero point 0, the form ONNX Runtime's QDQ rules fuse (with the output's
 *       QuantizeLinear, and a Relu in between) into {@code QLinearConv}. The bias moves by at most half a step of
 *       the sums, far below one step of the output. A BatchNormInference there (positive factor per channel) folds
 *       the same way: its factor into the weights' scales, its shift into the int32 bias.</li>
 * </ul>
 * Only values reachable from the results are written. Ops without an ONNX counterpart here are reported together in
 * one error.
 */
public final class OnnxExporter {
    public static final int OPSET = 18;

    private final Graph graph;
    private final OnnxModelBuilder out;
    private final Map<Value, String> names = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> unsupported = new TreeSet<>();
    /** Nodes whose op maps to ONNX but whose attributes or inputs here have no exact opset 18 form, with why. */
    private final Set<String> inexpressible = new TreeSet<>();

    private OnnxExporter(Graph graph) {
        this.graph = graph;
        this.out = new OnnxModelBuilder(graph.name(), OPSET);
    }

    /** The ONNX model of {@code graph}; throws listing every op type that has no ONNX mapping. */
    public static ModelProto export(Graph graph) {
        return new OnnxExporter(graph).run().build();
    }

    /** Exports {@code graph} and writes it to {@code file}. */
    public static void write(Graph graph, Path file) {
        new OnnxExporter(graph).run().write(file);
    }

    private OnnxModelBuilder run() {
        for (Node p : graph.parameters()) {
            Value v = p.output(0);
            out.input(name(v, p.name()), v.type(), dims(v.shape()));
        }
        for (Node r : graph.results()) {
            Value v = r.input(0);
            String produced = tensor(v);
            String outName = produced;
            if (!produced.equals(r.name()) && used.add(r.name())) {
                // The output keeps the Result's name; an Identity renames the producer's tensor to it.
                outName = r.name();
                out.node("Identity", outName).inputs(produced).outputs(outName);
            }
            out.output(outName, v.type(), dims(v.shape()));
        }
        if (!unsupported.isEmpty() || !inexpressible.isEmpty()) {
            List<String> parts = new ArrayList<>();
            if (!unsupported.isEmpty()) {
                parts.add("no mapping for " + String.join(", ", unsupported));
            }
            if (!inexpressible.isEmpty()) {
                parts.add("no exact ONNX opset " + OPSET + " form for " + String.join("; ", inexpressible));
            }
            throw new InferoException("cannot export " + (graph.name() == null ? "the model" : "model '"
                    + graph.name() + "'") + " to ONNX: " + String.join("; ", parts));
        }
        return out;
    }

    /** The ONNX tensor name of {@code v}, writing its producer (and what that needs) on first use. */
    private String tensor(Value v) {
        String known = names.get(v);
        if (known != null) {
            return known;
        }
        Node n = v.node();
        if (v.isKnown() && n.op() instanceof Constant) {
            String name = name(v, n.name());
            out.initializer(name, v.knownValue());
            return name;
        }
        if ((n.op() instanceof Add || n.op() instanceof BatchNormInference) && foldableBias(n) != null) {
            return convWithBias(foldableBias(n), name(v, n.name()));
        }
        if (n.op() instanceof Multiply && quantizedWeights(v) != null) {
            return dequantizedWeights(v, n.name() + "/dq", quantizedWeights(v).values(), quantizedWeights(v).scales());
        }
        List<String> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Value x = n.input(i);
            // A GroupConvolution's constant weights are written once, already in ONNX's layout (see weights).
            boolean regrouped = i == 1 && n.op() instanceof GroupConvolution && (x.isKnown() || quantizedWeights(x) != null);
            // A FakeQuantize's constant ranges become the scale and zero point of its Q/DQ pair, not initializers.
            boolean range = i > 0 && n.op() instanceof FakeQuantize && x != null && x.isKnown();
            // A StridedSlice's constant indices are resolved into its Slice's starts/ends/steps, not written.
            boolean indices = i > 0 && n.op() instanceof StridedSlice && x != null && x.isKnown();
            in.add(x == null || regrouped || range || indices ? "" : tensor(x));
        }
        String y = name(v, n.name());
        if (!translate(n, in, y)) {
            unsupported.add(n.type());
        }
        return y;
    }

    /**
     * A bias Add or a BatchNormInference after a quantized convolution: the convolution, its int32 bias, the bias's
     * scales and, for a folded BatchNorm, the weights' new per-output-channel scales (else null).
     */
    private record FoldedBias(Node conv, int[] bias, float[] scales, float[] weightScales) {
    }

    /**
     * {@code after} (a bias Add, or a BatchNormInference) folded into its convolution, or null when it is not one: a
     * per-output-channel constant added to, or a BatchNorm with constant parameters and a positive factor
     * {@code gamma / sqrt(variance + epsilon)} per channel applied to, the only use of a Convolution /
     * GroupConvolution whose input is a per-tensor FakeQuantize and whose weights are quantized, with every int32
     * bias code in range. A BatchNorm's factor multiplies the weights' scales (the int8 codes stay as they are) and
     * {@code beta - mean · factor} becomes the bias.
     */
    private FoldedBias foldableBias(Node after) {
        boolean batchNorm = after.op() instanceof BatchNormInference;
        int c = batchNorm || !after.input(0).isKnown() ? 1 : 0;
        Value convOut = batchNorm ? after.input(0) : after.input(1 - c);
        Node conv = convOut.node();
        if (convOut.isKnown() || convOut.index() != 0
                || !(conv.op() instanceof Convolution || conv.op() instanceof GroupConvolution)
                || graph.consumers(convOut).size() != 1 || !(conv.input(0).node().op() instanceof FakeQuantize)) {
            return null;
        }
        QuantizedWeights w = quantizedWeights(conv.input(1));
        Node fq = conv.input(0).node();
        Tensor low = fq.input(1).knownValue();
        Tensor high = fq.input(2).knownValue();
        if (w == null || low == null || high == null || low.size() != 1 || high.size() != 1
                || !after.output(0).shape().equals(convOut.shape())) {
            return null;
        }
        int channels = conv.output(0).shape().hasRank() && conv.output(0).shape().rank() >= 2
                && !conv.output(0).shape().isDynamic(1) ? conv.output(0).shape().dim(1) : -1;
        float[] wScales = w.scales().toFloatArray();
        if (channels < 1 || (wScales.length != 1 && wScales.length != channels)) {
            return null;
        }
        float[] bias = new float[channels];
        float[] newScales = null;
        if (batchNorm) {
            float[][] p = new float[4][];
            for (int i = 0; i < 4; i++) {
                Tensor t = after.input(1 + i).knownValue();
                if (t == null || t.size() != channels) {
                    return null;
                }
                p[i] = t.toFloatArray();
            }
            double epsilon = ((BatchNormInference) after.op()).epsilon();
            newScales = new float[channels];
            for (int i = 0; i < channels; i++) {
                double factor = p[0][i] / Math.sqrt(p[3][i] + epsilon);
                if (!(factor > 0) || Double.isInfinite(factor)) {
                    return null;
                }
                newScales[i] = (float) (wScales[wScales.length == 1 ? 0 : i] * factor);
                bias[i] = (float) (p[1][i] - p[2][i] * factor);
            }
        } else {
            Value biasValue = after.input(c);
            int[] biasShape = biasValue.isKnown() ? biasValue.shape().toArray() : null;
            if (biasShape == null || biasValue.knownValue().size() != channels
                    || biasShape.length != convOut.shape().rank() || biasShape[1] != channels) {
                return null;
            }
            bias = biasValue.knownValue().toFloatArray();
        }
        long levels = ((FakeQuantize) fq.op()).levels();
        float xScale = (high.toFloatArray()[0] - low.toFloatArray()[0]) / (levels - 1);
        int[] codes = new int[channels];
        float[] scales = new float[channels];
        for (int i = 0; i < channels; i++) {
            float ws = newScales != null ? newScales[i] : wScales[wScales.length == 1 ? 0 : i];
            scales[i] = xScale * ws;
            double q = Math.rint(bias[i] / (double) scales[i]);
            if (!(scales[i] > 0) || Math.abs(q) > Integer.MAX_VALUE / 2) {
                return null;
            }
            codes[i] = (int) q;
        }
        return new FoldedBias(conv, codes, scales, newScales);
    }

    /**
     * The convolution of {@code f} with its bias as a third, int32-dequantized input (and, for a folded BatchNorm,
     * its weights' new scales), producing {@code y}.
     */
    private String convWithBias(FoldedBias f, String y) {
        Node conv = f.conv();
        String x = tensor(conv.input(0));
        boolean grouped = conv.op() instanceof GroupConvolution;
        String w;
        if (f.weightScales() != null) {
            // ONNX's layout [Cout, Cin/G, k...] (a GroupConvolution's first two axes merged), scales on axis 0.
            Tensor values = quantizedWeights(conv.input(1)).values();
            int[] s = values.shape();
            int[] merged = grouped ? new int[s.length - 1] : s.clone();
            if (grouped) {
                merged[0] = s[0] * s[1];
                System.arraycopy(s, 2, merged, 1, s.length - 2);
            }
            int[] scaleShape = new int[merged.length];
            Arrays.fill(scaleShape, 1);
            scaleShape[0] = merged[0];
            w = dequantizedWeights(null, conv.name() + "/weights_bn_dq", values.reshape(merged),
                    Tensor.of(f.weightScales(), scaleShape));
        } else {
            w = weights(conv, grouped ? "" : tensor(conv.input(1)), grouped);
        }
        String base = conv.name() + "/bias";
        String q = unique(base + "/quantized");
        out.initializer(q, Tensor.of(f.bias(), f.bias().length));
        String s = unique(base + "/scale");
        out.initializer(s, Tensor.of(f.scales(), f.scales().length));
        String zp = unique(base + "/zero_point");
        out.initializer(zp, Tensor.of(new int[f.bias().length], f.bias().length));
        String b = unique(base);
        out.node("DequantizeLinear", b).inputs(q, s, zp).outputs(b).attr("axis", 0L);
        int groups = grouped ? conv.input(1).shape().dim(0) : 1;
        WindowGeometry window = conv.op() instanceof Convolution c ? c.window() : ((GroupConvolution) conv.op()).window();
        var node = out.node("Conv", conv.name()).inputs(x, w, b).outputs(y)
                .attrInts("strides", window.strides()).attrInts("dilations", window.dilations())
                .attr("group", (long) groups);
        window(node, window);
        return y;
    }

    /** Weights {@code Const i8 → Convert → Multiply(Const scale)} as quantize writes them, or null. */
    private record QuantizedWeights(Tensor values, Tensor scales) {
    }

    private static QuantizedWeights quantizedWeights(Value v) {
        Node mul = v.node();
        if (!(mul.op() instanceof Multiply) || !mul.input(1).isKnown()) {
            return null;
        }
        Node convert = mul.input(0).node();
        if (!(convert.op() instanceof Convert) || !convert.input(0).isKnown()
                || convert.input(0).type() != ElementType.I8 || v.type() != ElementType.F32) {
            return null;
        }
        Tensor values = convert.input(0).knownValue();
        Tensor scales = mul.input(1).knownValue();
        if (perAxis(scales.shape(), values.shape()) < -1) {
            return null;
        }
        return new QuantizedWeights(values, scales);
    }

    /**
     * The single axis along which {@code scaleShape} varies against {@code shape} (or -1 when it is per-tensor), or
     * -2 when it varies along several axes or does not match the tensor.
     */
    private static int perAxis(int[] scaleShape, int[] shape) {
        int axis = -1;
        int offset = shape.length - scaleShape.length;
        for (int i = 0; i < scaleShape.length; i++) {
            if (scaleShape[i] != 1) {
                if (axis >= 0 || scaleShape[i] != shape[i + offset]) {
                    return -2;
                }
                axis = i + offset;
            }
        }
        return axis;
    }

    /** An int8 initializer and its DequantizeLinear; the name of the dequantized weights. */
    private String dequantizedWeights(Value v, String base, Tensor values, Tensor scales) {
        int axis = perAxis(scales.shape(), values.shape());
        String q = unique(base + "/quantized");
        out.initializer(q, values);
        String s = unique(base + "/scale");
        out.initializer(s, axis < 0 ? Tensor.scalar(scales.floats()[0]) : scales.reshape(scales.size()));
        String zp = unique(base + "/zero_point");
        Tensor zeros = Tensor.allocate(ElementType.I8, axis < 0 ? new int[0] : new int[] {scales.size()});
        out.initializer(zp, zeros);
        String y = v == null ? unique(base) : name(v, base);
        OnnxModelBuilder.NodeBuilder dq = out.node("DequantizeLinear", y).inputs(q, s, zp).outputs(y);
        if (axis >= 0) {
            dq.attr("axis", (long) axis);
        }
        return y;
    }

    /** Ops whose ONNX form differs at most in name and in how the axis or keep-dims attribute is spelled. */
    private static final Set<String> SIMPLE = Set.of("Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum",
            "Power", "PReLU", "ReLU", "Sigmoid", "Tanh", "Exp", "Sqrt", "Abs", "Floor", "Ceiling", "Erf", "Log",
            "Negative", "Concat", "HSwish", "SoftPlus", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum",
            "ReduceProd", "SoftMax", "LogSoftmax", "Squeeze", "Unsqueeze", "Convert");

    private boolean translate(Node n, List<String> in, String y) {
        String name = n.name();
        if (SIMPLE.contains(n.type())) {
            simple(n, in, y);
            return true;
        }
        switch (n.op()) {
            case Convolution c -> conv(n, c.window(), in.get(0), weights(n, in.get(1), false), y, 1);
            case GroupConvolution c -> {
                int groups = n.input(1).shape().dim(0);
                conv(n, c.window(), in.get(0), weights(n, in.get(1), true), y, groups);
            }
            case MatMul m -> {
                String x = m.transposeA() ? transposeLast(n.input(0), in.get(0), name + "/ta") : in.get(0);
                String w = m.transposeB() ? transposeLast(n.input(1), in.get(1), name + "/tb") : in.get(1);
                out.node("MatMul", name).inputs(x, w).outputs(y);
            }
            case Clamp c -> {
                String lo = constant(name + "/min", Tensor.scalar((float) c.min()));
                String hi = constant(name + "/max", Tensor.scalar((float) c.max()));
                out.node("Clip", name).inputs(in.get(0), lo, hi).outputs(y);
            }
            case Pooling pool -> {
                if (n.outputs().size() > 1 && !graph.consumers(n.output(1)).isEmpty()) {
                    return false;
                }
                WindowGeometry w = pool.window();
                boolean dilated = Arrays.stream(w.dilations()).anyMatch(d -> d != 1);
                if (pool instanceof AvgPool && dilated) {
                    // ONNX's AveragePool has dilations from opset 19 on.
                    inexpressible.add("AvgPool '" + name + "' (dilations " + Arrays.toString(w.dilations()) + ")");
                    return true;
                }
                var b = out.node(pool instanceof MaxPool ? "MaxPool" : "AveragePool", name).inputs(in.get(0))
                        .outputs(y).attrInts("kernel_shape", pool.kernel())
                        .attrInts("strides", w.strides())
                        .attr("ceil_mode", w.ceil() ? 1L : 0L);
                window(b, w);
                if (pool instanceof MaxPool && dilated) {
                    b.attrInts("dilations", w.dilations());
                }
                if (pool instanceof AvgPool avg) {
                    b.attr("count_include_pad", avg.excludePad() ? 0L : 1L);
                }
            }
            case Reshape r -> out.node("Reshape", name).inputs(in.get(0), int64(n, 1, in)).outputs(y)
                    .attr("allowzero", r.specialZero() ? 0L : 1L);
            case Transpose _ -> {
                Tensor perm = n.input(1).knownValue();
                if (perm == null) {
                    return false;
                }
                out.node("Transpose", name).inputs(in.get(0)).outputs(y).attrInts("perm", perm.toLongArray());
            }
            case Pad p -> {
                if (!Set.of(Pad.Mode.CONSTANT, Pad.Mode.REFLECT, Pad.Mode.EDGE).contains(p.mode())) {
                    return false;
                }
                String pads = unique(name + "/pads");
                out.node("Concat", pads).inputs(int64(n, 1, in), int64(n, 2, in)).outputs(pads).attr("axis", 0L);
                List<String> inputs = new ArrayList<>(List.of(in.get(0), pads));
                if (in.size() > 3 && !in.get(3).isEmpty()) {
                    inputs.add(in.get(3));
                }
                out.node("Pad", name).inputs(inputs.toArray(String[]::new)).outputs(y).attr("mode", p.mode().irName());
            }
            case FakeQuantize fq -> fakeQuantize(n, fq.levels(), in, y);
            // Same inputs in the same order (data, gamma, beta, mean, variance).
            case BatchNormInference bn -> out.node("BatchNormalization", name).inputs(in.toArray(String[]::new))
                    .outputs(y).attr("epsilon", (float) bn.epsilon());
            case Gather g -> {
                Tensor axis = n.input(2).knownValue();
                if (axis == null || g.batchDims() != 0) {
                    return false;
                }
                out.node("Gather", name).inputs(in.get(0), in.get(1)).outputs(y).attr("axis", axis.getLong(0));
            }
            case ShapeOf _ -> {
                boolean i64 = n.output(0).type() == ElementType.I64;
                String shape = i64 ? y : unique(name + "/i64");
                out.node("Shape", name).inputs(in.get(0)).outputs(shape);
                if (!i64) {
                    out.node("Cast", name + "/cast").inputs(shape).outputs(y)
                            .attr("to", (long) TensorProtos.onnxType(n.output(0).type()));
                }
            }
            case Slice _ -> {
                // Infero (OpenVINO) orders the inputs start, stop, step, axes; ONNX starts, ends, axes, steps.
                List<String> inputs = new ArrayList<>(List.of(in.get(0), int64(n, 1, in), int64(n, 2, in),
                        in.size() > 4 && !in.get(4).isEmpty() ? int64(n, 4, in) : "", int64(n, 3, in)));
                out.node("Slice", name).inputs(inputs.toArray(String[]::new)).outputs(y);
            }
            case StridedSlice ss -> stridedSlice(n, ss, in.get(0), y);
            // Both modes' output is exactly the target shape, so they agree with Expand's bidirectional rule.
            case Broadcast _ -> out.node("Expand", name).inputs(in.get(0), int64(n, 1, in)).outputs(y);
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * StridedSlice on data of a static shape with constant begin, end and strides: the selection it makes
     * ({@link StridedSlice#plan}) as one ONNX {@code Slice} over the axes not taken whole, then a {@code Reshape} to
     * the output shape (which drops the shrunk axes and adds the new ones).
     */
    private void stridedSlice(Node n, StridedSlice op, String x, String y) {
        Tensor begin = n.input(1).knownValue();
        Tensor end = n.input(2).knownValue();
        Tensor strides = n.inputs().size() > 3 ? n.input(3).knownValue() : null;
        if (!n.input(0).shape().isStatic() || begin == null || end == null
                || (n.inputs().size() > 3 && strides == null)) {
            inexpressible.add("StridedSlice '" + n.name() + "' (begin/end/strides not constant or data shape "
                    + n.input(0).shape() + " not static: the masks' selection is then only known at run time)");
            return;
        }
        int[] shape = n.input(0).shape().toArray();
        StridedSlice.Plan p = op.plan(shape, begin, end, strides);
        List<Long> axes = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (int a = 0; a < shape.length; a++) {
            if (p.step()[a] == 1 && p.count()[a] == shape[a]) {
                continue;
            }
            long last = p.start()[a] + (long) p.step()[a] * p.count()[a];
            axes.add((long) a);
            starts.add((long) p.start()[a]);
            // A reversed slice that runs past index 0 ends "before the first element", which ONNX spells as a very
            // negative end (a plain -1 would count from the end).
            ends.add(p.step()[a] < 0 && last < 0 ? Long.MIN_VALUE : last);
            steps.add((long) p.step()[a]);
        }
        String sliced = x;
        if (!axes.isEmpty()) {
            sliced = unique(n.name() + "/slice");
            out.node("Slice", sliced).inputs(x, longs(n.name() + "/starts", starts), longs(n.name() + "/ends", ends),
                    longs(n.name() + "/axes", axes), longs(n.name() + "/steps", steps)).outputs(sliced);
        }
        String target = constant(n.name() + "/shape", Tensor.vector(Arrays.stream(p.outShape()).asLongStream().toArray()));
        out.node("Reshape", n.name()).inputs(sliced, target).outputs(y).attr("allowzero", 1L);
    }

    private String longs(String base, List<Long> values) {
        return constant(base, Tensor.vector(values.stream().mapToLong(Long::longValue).toArray()));
    }

    /** Ops whose ONNX form differs at most in name and in how the axis attribute is spelled. */
    private void simple(Node n, List<String> in, String y) {
        String onnx = switch (n.type()) {
            case "Multiply" -> "Mul";
            case "Subtract" -> "Sub";
            case "Divide" -> "Div";
            case "Power" -> "Pow";
            case "ReLU" -> "Relu";
            case "PReLU" -> "PRelu";
            case "Maximum" -> "Max";
            case "Minimum" -> "Min";
            case "Negative" -> "Neg";
            case "Ceiling" -> "Ceil";
            case "HSwish" -> "HardSwish";
            case "SoftPlus" -> "Softplus";
            case "SoftMax" -> "Softmax";
            case "Convert" -> "Cast";
            default -> n.type();
        };
        List<String> inputs = new ArrayList<>(in);
        // ONNX takes axes as int64 only; Infero's (OpenVINO's) axes may be any integer type.
        if (inputs.size() > 1 && (n.op() instanceof Reduction || n.op() instanceof Squeeze || n.op() instanceof Unsqueeze)) {
            inputs.set(1, int64(n, 1, in));
        }
        var b = out.node(onnx, n.name()).inputs(inputs.toArray(String[]::new)).outputs(y);
        switch (n.op()) {
            // Empty axes reduce nothing in OpenVINO; ONNX's noop_with_empty_axes=1 says the same.
            case Reduction r -> b.attr("keepdims", r.keepDims() ? 1L : 0L).attr("noop_with_empty_axes", 1L);
            case AxisSoftmax s -> b.attr("axis", s.axis());
            case Concat c -> b.attr("axis", c.axis());
            case Convert _ -> b.attr("to", (long) TensorProtos.onnxType(n.output(0).type()));
            default -> {
            }
        }
    }

    private void conv(Node n, WindowGeometry window, String x, String w, String y, int groups) {
        var b = out.node("Conv", n.name()).inputs(x, w).outputs(y)
                .attrInts("strides", window.strides()).attrInts("dilations", window.dilations())
                .attr("group", (long) groups);
        window(b, window);
    }

    private static void window(OnnxModelBuilder.NodeBuilder b, WindowGeometry w) {
        switch (w.autoPad()) {
            case SAME_UPPER -> b.attr("auto_pad", "SAME_UPPER");
            case SAME_LOWER -> b.attr("auto_pad", "SAME_LOWER");
            case VALID -> b.attr("auto_pad", "VALID");
            case EXPLICIT -> {
                long[] begin = w.padsBegin();
                long[] end = w.padsEnd();
                long[] pads = Arrays.copyOf(begin, begin.length + end.length);
                System.arraycopy(end, 0, pads, begin.length, end.length);
                b.attrInts("pads", pads);
            }
        }
    }

    /**
     * Convolution weights in ONNX's layout [Cout, Cin/G, k...]: a GroupConvolution's [G, Cout/G, Cin/G, k...] merges
     * its first two axes (quantized weights keep their per-output-channel scales, now on axis 0).
     */
    private String weights(Node layer, String name, boolean grouped) {
        if (!grouped) {
            return name;
        }
        Value w = layer.input(1);
        QuantizedWeights q = quantizedWeights(w);
        int[] s = w.shape().toArray();
        int[] merged = new int[s.length - 1];
        merged[0] = s[0] * s[1];
        System.arraycopy(s, 2, merged, 1, s.length - 2);
        if (q != null) {
            int[] scaleShape = q.scales().shape();
            int channels = scaleShape[0] * scaleShape[1];
            int[] mergedScale = new int[merged.length];
            Arrays.fill(mergedScale, 1);
            mergedScale[0] = channels;
            if (channels == merged[0] || channels == 1) {
                return dequantizedWeights(null, layer.name() + "/weights_dq", q.values().reshape(merged),
                        q.scales().reshape(mergedScale));
            }
        }
        if (w.isKnown()) {
            return constant(layer.name() + "/weights", w.knownValue().reshape(merged));
        }
        String shape = constant(layer.name() + "/weights_shape", Tensor.vector(Arrays.stream(merged).asLongStream().toArray()));
        String r = unique(layer.name() + "/weights_reshaped");
        out.node("Reshape", r).inputs(tensor(w), shape).outputs(r);
        return r;
    }

    private String transposeLast(Value v, String name, String base) {
        int rank = v.shape().rank();
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 1] = rank - 2;
        perm[rank - 2] = rank - 1;
        String t = unique(base);
        out.node("Transpose", t).inputs(name).outputs(t).attrInts("perm", perm);
        return t;
    }

    /** FakeQuantize as QuantizeLinear → DequantizeLinear; see the class comment for the mapping. */
    private void fakeQuantize(Node n, long levels, List<String> in, String y) {
        Tensor il = n.input(1).knownValue();
        Tensor ih = n.input(2).knownValue();
        Tensor ol = n.input(3).knownValue();
        Tensor oh = n.input(4).knownValue();
        if (levels != 256 || il == null || ih == null || !il.contentEquals(ol) || !ih.contentEquals(oh)
                || !Arrays.equals(il.shape(), ih.shape())) {
            throw new InferoException("cannot export FakeQuantize " + n.name() + " to ONNX: only levels 256 with"
                    + " constant ranges and output range = input range map to QuantizeLinear/DequantizeLinear");
        }
        int axis = perAxis(il.shape(), n.input(0).shape().hasRank() ? n.input(0).shape().toArray() : il.shape());
        if (axis < -1 || (axis >= 0 && il.shape().length != n.input(0).shape().rank())) {
            throw new InferoException("cannot export FakeQuantize " + n.name() + ": ranges of shape "
                    + Arrays.toString(il.shape()) + " are neither per-tensor nor per-axis");
        }
        float[] low = il.toFloatArray();
        float[] high = ih.toFloatArray();
        float[] scale = new float[low.length];
        long[] zero = new long[low.length];
        boolean signed = true;
        for (int c = 0; c < low.length; c++) {
            scale[c] = (high[c] - low[c]) / (levels - 1);
            double z = -low[c] / scale[c];
            zero[c] = Math.round(z);
            if (Math.abs(z - zero[c]) > 1e-3 || zero[c] < 0 || zero[c] > 255) {
                throw new InferoException("cannot export FakeQuantize " + n.name() + ": zero is not on a level of ["
                        + low[c] + ", " + high[c] + "]");
            }
            signed &= zero[c] == 128;
        }
        int[] paramShape = axis < 0 ? new int[0] : new int[] {low.length};
        Tensor zp = Tensor.allocate(signed ? ElementType.I8 : ElementType.U8, paramShape);
        for (int c = 0; c < low.length; c++) {
            zp.setLong(c, signed ? 0 : zero[c]);
        }
        String s = constant(n.name() + "/scale", Tensor.of(scale, paramShape));
        String z = constant(n.name() + "/zero_point", zp);
        String q = unique(n.name() + "/quantized");
        var qn = out.node("QuantizeLinear", n.name() + "/quantize").inputs(in.get(0), s, z).outputs(q);
        var dq = out.node("DequantizeLinear", n.name()).inputs(q, s, z).outputs(y);
        if (axis >= 0) {
            qn.attr("axis", (long) axis);
            dq.attr("axis", (long) axis);
        }
    }

    /** Input {@code i} of {@code n} as int64, which ONNX requires of shapes and indices. */
    private String int64(Node n, int i, List<String> in) {
        if (n.input(i).type() == ElementType.I64) {
            return in.get(i);
        }
        String cast = unique(in.get(i) + "/i64");
        out.node("Cast", cast).inputs(in.get(i)).outputs(cast).attr("to", (long) TensorProtos.onnxType(ElementType.I64));
        return cast;
    }

    private String constant(String base, Tensor value) {
        String name = unique(base);
        out.initializer(name, value);
        return name;
    }

    private String name(Value v, String fallback) {
        String n = unique(v.names().isEmpty() ? fallback + (v.index() == 0 ? "" : ":" + v.index()) : v.displayName());
        names.put(v, n);
        return n;
    }

    private String unique(String base) {
        String n = base;
        for (int i = 1; !used.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    private static long[] dims(PartialShape shape) {
        if (!shape.hasRank()) {
            return new long[0];
        }
        long[] d = new long[shape.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = shape.isDynamic(i) ? -1 : shape.dim(i);
        }
        return d;
    }
}
