package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.GroupNormalization;
import dev.infero.core.ops.normalization.LRN;
import dev.infero.core.ops.normalization.LogSoftmax;
import dev.infero.core.ops.normalization.MVN;
import dev.infero.core.ops.normalization.NormalizeL2;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceL1;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceProd;
import dev.infero.core.ops.selection.OneHot;
import dev.infero.core.ops.selection.TopK;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Softmax, LogSoftmax and Hardmax, and the normalizations: LRN, InstanceNormalization, MeanVarianceNormalization,
 * LayerNormalization, GroupNormalization, LpNormalization. OpenVINO has no LayerNormalization, InstanceNormalization
 * or Hardmax op; they are built from MVN, reductions and TopK/OneHot as OpenVINO's ONNX frontend does. LpPool (the
 * window's Lp norm) is here as well, built from AvgPool like LpNormalization is built from reductions.
 */
public final class NormalizationOps {
    private NormalizationOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Softmax", n -> List.of(softmaxFamily(n, x -> axis -> n.add(new Softmax(axis), x))));
        r.put("LogSoftmax", n -> List.of(softmaxFamily(n, x -> axis -> n.add(new LogSoftmax(axis), x))));
        r.put("Hardmax", n -> List.of(softmaxFamily(n, x -> axis -> hardmax(n, x, axis))));
        r.put("LRN", n -> List.of(n.add(new LRN(n.attrFloat("alpha", 1e-4f), n.attrFloat("beta", 0.75f),
                n.attrFloat("bias", 1f), n.attrInt("size", 0)), n.requireInput(0), n.constant(Tensor.vector(1)))));
        r.put("InstanceNormalization", NormalizationOps::instanceNormalization);
        r.put("MeanVarianceNormalization", n -> List.of(n.add(new MVN(true, 1e-9, MVN.EpsMode.OUTSIDE_SQRT),
                n.requireInput(0), n.constant(Tensor.vector(n.attrInts("axes", new long[] {0, 2, 3}))))));
        r.put("LayerNormalization", NormalizationOps::layerNormalization);
        r.put("GroupNormalization", NormalizationOps::groupNormalization);
        r.put("LpNormalization", NormalizationOps::lpNormalization);
        r.put("LpPool", NormalizationOps::lpPool);
    }

    /**
     * Softmax, LogSoftmax and Hardmax: since opset 13 along {@code axis} (default -1); before, on the input flattened
     * to 2-D {@code [d0 * .. * d(axis-1), d(axis) * .. * d(n-1)]} (default axis 1) and reshaped back.
     */
    private static Value softmaxFamily(OnnxNode n, Function<Value, Function<Long, Value>> op) {
        Value x = n.requireInput(0);
        if (n.opset() >= 13) {
            return op.apply(x).apply(n.attrInt("axis", -1));
        }
        long axis = n.attrInt("axis", 1);
        if (x.shape().hasRank() && (axis == x.shape().rank() - 1 || axis == -1)) {
            return op.apply(x).apply(-1L);
        }
        Value shape = n.add(new ShapeOf(ElementType.I64), x);
        Value leading = n.add(new Slice(), shape, n.constant(Tensor.vector(0)), n.constant(Tensor.vector(axis)),
                n.constant(Tensor.vector(1)), n.constant(Tensor.vector(0)));
        Value outer = n.add(new ReduceProd(true), leading, n.constant(Tensor.vector(0)));
        Value flat = n.add(new Reshape(false), x, n.add(new Concat(0), outer, n.constant(Tensor.vector(-1))));
        return n.add(new Reshape(false), op.apply(flat).apply(1L), shape);
    }

    /** One at the first maximum along the axis, zero elsewhere: TopK(k=1)'s index one-hot encoded back along it. */
    private static Value hardmax(OnnxNode n, Value x, long axis) {
        if (!x.shape().hasRank()) {
            throw n.error("needs an input of known rank");
        }
        int rank = x.shape().rank();
        if (axis < -rank || axis >= rank) {
            throw n.error("axis " + axis + " is out of range for rank " + rank);
        }
        long a = axis < 0 ? axis + rank : axis;
        Value index = n.addNode(new TopK(a, true, "value", ElementType.I64, true), x,
                n.constant(Tensor.scalar(1L))).output(1);
        Value depth = n.add(new Gather(0), n.add(new ShapeOf(ElementType.I64), x), n.constant(Tensor.scalar(a)),
                n.constant(Tensor.scalar(0L)));
        Value oneHot = n.add(new OneHot(a, false), index, depth, scalar(n, x.type(), 1), scalar(n, x.type(), 0));
        return n.add(new Squeeze(), oneHot, n.constant(Tensor.vector(a + 1)));
    }

    private static Value scalar(OnnxNode n, ElementType type, double value) {
        Tensor t = Tensor.allocate(type);
        t.setDouble(0, value);
        return n.constant(t);
    }

    private static int rank(OnnxNode n, Value x) {
        if (!x.shape().hasRank()) {
            throw n.error("needs an input of known rank");
        }
        return x.shape().rank();
    }

    /** {@code [from, from + 1, .., to - 1]}. */
    private static long[] range(int from, int to) {
        long[] r = new long[Math.max(to - from, 0)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** MVN over the spatial axes, then per-channel scale and bias (reshaped to [C, 1, .., 1]). */
    private static List<Value> instanceNormalization(OnnxNode n) {
        Value x = n.requireInput(0);
        int rank = rank(n, x);
        Value axes = n.constant(Tensor.vector(range(2, rank)));
        Value normalized = n.add(new MVN(true, n.attrFloat("epsilon", 1e-5f), MVN.EpsMode.INSIDE_SQRT), x, axes);
        Value perChannel = n.constant(Tensor.vector(range(1, rank - 1)));
        Value scale = n.add(new Unsqueeze(), n.requireInput(1), perChannel);
        Value bias = n.add(new Unsqueeze(), n.requireInput(2), perChannel);
        return List.of(n.add(new Add(), n.add(new Multiply(), normalized, scale), bias));
    }

    /**
     * LayerNormalization (opset 17) over the axes from {@code axis} on: MVN then scale and optional bias, computed in
     * the {@code stash_type} precision. When the Mean or InvStdDev outputs are used, the statistics are built from
     * reductions instead so that they can be returned.
     */
    private static List<Value> layerNormalization(OnnxNode n) {
        Value x = n.requireInput(0);
        int rank = rank(n, x);
        long axis = n.attrInt("axis", -1);
        if (axis < -rank || axis >= rank) {
            throw n.error("axis " + axis + " is out of range for rank " + rank);
        }
        float epsilon = n.attrFloat("epsilon", 1e-5f);
        ElementType stash = TensorProtos.elementType((int) n.attrInt("stash_type", 1), "stash_type");
        Value axes = n.constant(Tensor.vector(range((int) (axis < 0 ? axis + rank : axis), rank)));
        Value xs = x.type() == stash ? x : n.add(new Convert(stash), x);
        List<Value> outputs = new ArrayList<>();
        Value normalized;
        if (n.hasOutput(1) || n.hasOutput(2)) {
            Value mean = n.add(new ReduceMean(true), xs, axes);
            Value centered = n.add(new Subtract(), xs, mean);
            Value variance = n.add(new ReduceMean(true), n.add(new Multiply(), centered, centered), axes);
            Value invStd = n.add(new Divide(), scalar(n, stash, 1),
                    n.add(new Sqrt(), n.add(new Add(), variance, scalar(n, stash, epsilon))));
            normalized = n.add(new Multiply(), centered, invStd);
            outputs.add(mean);
            outputs.add(invStd);
        } else {
            normalized = n.add(new MVN(true, epsilon, MVN.EpsMode.INSIDE_SQRT), xs, axes);
        }
        Value y = normalized.type() == x.type() ? normalized : n.add(new Convert(x.type()), normalized);
        y = n.add(new Multiply(), y, n.requireInput(1));
        if (n.hasInput(2)) {
            y = n.add(new Add(), y, n.input(2));
        }
        outputs.add(0, y);
        return outputs;
    }

    /**
     * GroupNormalization: OpenVINO's op takes per-channel scale and bias, as ONNX does since opset 21; opset 18's
     * per-group ones are repeated C/G times each.
     */
    private static List<Value> groupNormalization(OnnxNode n) {
        Value x = n.requireInput(0);
        long groups = n.attrInt("num_groups", 0);
        Value scale = n.requireInput(1);
        Value bias = n.requireInput(2);
        if (n.opset() < 21) {
            Value channels = n.add(new Gather(0), n.add(new ShapeOf(ElementType.I64), x), n.constant(Tensor.vector(1)),
                    n.constant(Tensor.scalar(0L)));
            Value perGroup = n.add(new Divide(), channels, n.constant(Tensor.vector(groups)));
            Value grid = n.add(new Concat(0), n.constant(Tensor.vector(groups)), perGroup);
            scale = perChannel(n, scale, grid);
            bias = perChannel(n, bias, grid);
        }
        return List.of(n.add(new GroupNormalization(groups, n.attrFloat("epsilon", 1e-5f)), x, scale, bias));
    }

    /** {@code [G]} values repeated to {@code [G * C/G]}: broadcast as a [G, 1] column to the [G, C/G] grid, flattened. */
    private static Value perChannel(OnnxNode n, Value perGroup, Value grid) {
        Value column = n.add(new Unsqueeze(), perGroup, n.constant(Tensor.vector(1)));
        Value repeated = n.add(new Broadcast(Broadcast.Mode.NUMPY), column, grid);
        return n.add(new Reshape(false), repeated, n.constant(Tensor.vector(-1)));
    }

    /** LpNormalization along {@code axis}: NormalizeL2 for p = 2 (no epsilon), x / ReduceL1 for p = 1. */
    /**
     * x / ||x||_p along {@code axis}. A zero vector stays zero (ONNX's expected output) rather than 0/0: the norm is
     * guarded by the smallest positive float, which leaves every non-zero norm unchanged.
     */
    private static List<Value> lpNormalization(OnnxNode n) {
        Value x = n.requireInput(0);
        Value axes = n.constant(Tensor.vector(n.attrInt("axis", -1)));
        long p = n.attrInt("p", 2);
        return switch ((int) p) {
            case 2 -> List.of(n.add(new NormalizeL2(Float.MIN_VALUE, true), x, axes));
            case 1 -> List.of(n.add(new Divide(), x, n.add(new Maximum(), n.add(new ReduceL1(true), x, axes),
                    n.constant(Tensor.scalar(Float.MIN_VALUE).convertTo(x.type())))));
            default -> throw n.error("p must be 1 or 2, got " + p);
        };
    }

    /**
     * LpPool as {@code (AvgPool(|x|^p) * window size)^(1/p)}: an average that counts padding positions (zeros) times
     * the window size is the window's sum.
     */
    private static List<Value> lpPool(OnnxNode n) {
        Value x = n.requireInput(0);
        long[] kernel = n.attrInts("kernel_shape", null);
        if (kernel == null) {
            throw n.error("has no kernel_shape");
        }
        int spatial = kernel.length;
        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        long[] pads = n.attrInts("pads", new long[2 * spatial]);
        long[] strides = n.attrInts("strides", ones);
        long[] dilations = n.attrInts("dilations", ones);
        if (pads.length != 2 * spatial || strides.length != spatial || dilations.length != spatial) {
            throw n.error("pads (two per axis), strides and dilations (one per axis) do not match " + spatial
                    + " spatial axes");
        }
        WindowGeometry window = new WindowGeometry(strides, dilations, Arrays.copyOfRange(pads, 0, spatial),
                Arrays.copyOfRange(pads, spatial, 2 * spatial), AutoPad.fromOnnx(n.attrString("auto_pad", "NOTSET")),
                n.attrInt("ceil_mode", 0) != 0);
        float p = n.opset() < 2 ? n.attrFloat("p", 2f) : n.attrInt("p", 2);
        Value powered = n.add(new Power(), n.add(new Abs(), x), scalar(n, x.type(), p));
        Value mean = n.add(new AvgPool(kernel, window, false), powered);
        Value sum = n.add(new Multiply(), mean, scalar(n, x.type(), Arrays.stream(kernel).reduce(1, (a, b) -> a * b)));
        return List.of(n.add(new Power(), sum, scalar(n, x.type(), 1.0 / p)));
    }
}
