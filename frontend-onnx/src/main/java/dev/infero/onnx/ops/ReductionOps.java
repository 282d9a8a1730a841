package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.reduce.ReduceL1;
import dev.infero.core.ops.reduce.ReduceL2;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.ReduceProd;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reductions. ReduceMean/Sum/Prod/Max/Min/L1/L2 map to the OpenVINO op of the same name; ReduceSumSquare,
 * ReduceLogSum and ReduceLogSumExp are decomposed (OpenVINO has no op for them). ONNX differences handled here:
 * axes are an attribute before opset 18 (ReduceSum: before 13) and an optional input since; absent or empty axes
 * reduce over every axis unless {@code noop_with_empty_axes}, in which case the input passes through unchanged
 * (OpenVINO's empty axes reduce nothing, so "all axes" is spelled out).
 */
public final class ReductionOps {
    private ReductionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("ReduceSum", reduce(13, ReduceSum::new));
        r.put("ReduceMean", reduce(18, ReduceMean::new));
        r.put("ReduceProd", reduce(18, ReduceProd::new));
        r.put("ReduceMax", reduce(18, ReduceMax::new));
        r.put("ReduceMin", reduce(18, ReduceMin::new));
        r.put("ReduceL1", reduce(18, ReduceL1::new));
        r.put("ReduceL2", reduce(18, ReduceL2::new));
        r.put("ReduceSumSquare", n -> reduction(n, 18, (x, axes) -> n.add(new ReduceSum(keepDims(n)),
                n.add(new Multiply(), x, x), axes)));
        r.put("ReduceLogSum", n -> reduction(n, 18, (x, axes) -> n.add(new Log(),
                n.add(new ReduceSum(keepDims(n)), x, axes))));
        r.put("ReduceLogSumExp", n -> reduction(n, 18, (x, axes) -> logSumExp(n, x, axes)));
    }

    /** A reduction the core op computes alone; {@code axesInputSince} is the opset that made axes an input. */
    private static OnnxTranslator reduce(int axesInputSince, Function<Boolean, Op> op) {
        return n -> reduction(n, axesInputSince, (x, axes) -> n.add(op.apply(keepDims(n)), x, axes));
    }

    @FunctionalInterface
    private interface Body {
        Value build(Value x, Value axes);
    }

    private static List<Value> reduction(OnnxNode n, int axesInputSince, Body body) {
        Value x = n.requireInput(0);
        Value axes = null;
        if (n.opset() >= axesInputSince) {
            if (n.hasInput(1) && !isEmpty(n, n.input(1))) {
                axes = n.input(1);
            }
        } else {
            long[] a = n.attrInts("axes", null);
            if (a != null && a.length > 0) {
                axes = n.constant(Tensor.vector(a));
            }
        }
        if (axes == null) {
            if (n.opset() >= axesInputSince && n.attrInt("noop_with_empty_axes", 0) != 0) {
                return List.of(x);
            }
            axes = allAxes(n, x);
        }
        return List.of(body.build(x, axes));
    }

    /** Whether an axes input is empty: decided by its length, which must be known even when its values are not. */
    private static boolean isEmpty(OnnxNode n, Value axes) {
        if (!axes.shape().isStatic()) {
            throw n.error("axes input of unknown length is not supported (empty axes change the meaning)");
        }
        return axes.shape().rank() == 1 && axes.shape().dim(0) == 0;
    }

    /** {@code [0, 1, .., rank-1]}: a constant when the rank is known, otherwise a Range up to the rank. */
    private static Value allAxes(OnnxNode n, Value x) {
        if (x.shape().hasRank()) {
            long[] all = new long[x.shape().rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return n.constant(Tensor.vector(all));
        }
        Value rank = n.add(new Squeeze(), n.add(new ShapeOf(ElementType.I64), n.add(new ShapeOf(ElementType.I64), x)));
        return n.add(new Range(ElementType.I64), n.constant(Tensor.scalar(0L)), rank, n.constant(Tensor.scalar(1L)));
    }

    private static boolean keepDims(OnnxNode n) {
        return n.attrInt("keepdims", 1) != 0;
    }

    /**
     * {@code log(sum(exp(x - m))) + m} with m the maximum over the axes, which keeps exp from overflowing. An empty
     * reduction gives m = -inf and log(0) = -inf, so -inf as ONNX expects.
     */
    private static Value logSumExp(OnnxNode n, Value x, Value axes) {
        Value kept = n.add(new ReduceMax(true), x, axes);
        Value sum = n.add(new ReduceSum(keepDims(n)), n.add(new Exp(), n.add(new Subtract(), x, kept)), axes);
        Value max = keepDims(n) ? kept : n.add(new ReduceMax(false), x, axes);
        return n.add(new Add(), n.add(new Log(), sum), max);
    }
}
