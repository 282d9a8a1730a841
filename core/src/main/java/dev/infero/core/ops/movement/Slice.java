package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;

/**
 * Slice-8: {@code data[start:stop:step]} along the listed axes (input 4, default 0..n-1), other axes whole. Inputs:
 * data, start, stop, step, axes. As in Python, negative start/stop count from the end and out-of-range values
 * (including INT64 min/max sentinels) are clamped; a negative step walks backwards.
 */
public final class Slice extends Op {
    public static final OpSpec<Slice> SPEC = OpSpec.of(Slice.class, "Slice", "opset8", a -> new Slice());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (ctx.unknownRankPassedOn()) {
            return;
        }
        Tensor start = ctx.inputValue(1);
        Tensor stop = ctx.inputValue(2);
        Tensor step = ctx.inputValue(3);
        Tensor axesValue = ctx.inputValue(4);
        int[] out = in.dimsOrDynamic();
        if (ctx.hasInput(4) && axesValue == null) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(in.rank()));
            return;
        }
        int[] axes = axesValue != null ? axes(ctx, axesValue.toLongArray(), in.rank()) : null;
        if (start == null || stop == null || step == null) {
            int n = ctx.inputShape(1).isStatic() ? Math.min(ctx.inputShape(1).dim(0), in.rank()) : in.rank();
            for (int i = 0; i < n; i++) {
                out[axes == null ? i : axes[i]] = PartialShape.DYNAMIC;
            }
            ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
            return;
        }
        long[] b = start.toLongArray();
        long[] e = stop.toLongArray();
        long[] s = step.toLongArray();
        if (b.length != e.length || b.length != s.length) {
            throw ctx.error("start, stop and step have different lengths: " + b.length + ", " + e.length + ", "
                    + s.length);
        }
        if (axes == null) {
            if (b.length > in.rank()) {
                throw ctx.error("start has " + b.length + " entries but the input has rank " + in.rank());
            }
            axes = new int[b.length];
            Arrays.setAll(axes, i -> i);
        } else if (axes.length != b.length) {
            throw ctx.error("axes has " + axes.length + " entries but start has " + b.length);
        }
        for (int i = 0; i < b.length; i++) {
            if (s[i] == 0) {
                throw ctx.error("step must not be zero");
            }
            int dim = in.dim(axes[i]);
            out[axes[i]] = dim == PartialShape.DYNAMIC ? dim : (int) range(b[i], e[i], s[i], dim)[1];
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    /** The given axes normalised into [0, rank), each at most once. */
    private static int[] axes(InferContext ctx, long[] given, int rank) {
        int[] axes = new int[given.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < given.length; i++) {
            if (given[i] < -rank || given[i] >= rank) {
                throw ctx.error("axis " + given[i] + " is out of range for rank " + rank);
            }
            axes[i] = Shapes.normalizeAxis(given[i], rank);
            if (seen[axes[i]]) {
                throw ctx.error("axis " + given[i] + " is repeated");
            }
            seen[axes[i]] = true;
        }
        return axes;
    }

    /**
     * The first index and element count of {@code [start:stop:step]} over a dimension of size {@code dim}, with
     * Python's clamping: within [0, dim] going forwards and [-1, dim - 1] going backwards.
     */
    static long[] range(long start, long stop, long step, int dim) {
        long b = start < 0 ? start + dim : start;
        long e = stop < 0 ? stop + dim : stop;
        long count;
        if (step > 0) {
            b = Math.clamp(b, 0, dim);
            e = Math.clamp(e, 0, dim);
            count = e > b ? (e - b + step - 1) / step : 0;
        } else {
            b = Math.clamp(b, -1, dim - 1);
            e = Math.clamp(e, -1, dim - 1);
            count = b > e ? (b - e - step - 1) / -step : 0;
        }
        return new long[] {b, count};
    }

    /**
     * The slice as a strided view of its input: where the output's first element sits in the input, and the input
     * stride of each output axis (negative for a negative step).
     *
     * @param offset  the input index of the output's first element
     * @param strides per axis, the input distance between neighbouring output elements
     */
    public record View(int offset, int[] strides) {
    }

    /**
     * The view of a slice of an input of shape {@code in} giving an output of shape {@code out}, for the given start,
     * stop and step ({@code axes} null: the first axes in order). The one statement of where a slice reads.
     */
    public static View view(int[] in, int[] out, long[] start, long[] stop, long[] step, long[] axes) {
        int rank = in.length;
        int[] inStrides = Shapes.strides(in);
        int[] strides = inStrides.clone();
        int offset = 0;
        for (int i = 0; i < start.length; i++) {
            int axis = axes == null ? i : Shapes.normalizeAxis(axes[i], rank);
            long first = range(start[i], stop[i], step[i], in[axis])[0];
            if (out[axis] > 0) {
                offset += (int) first * inStrides[axis];
            }
            strides[axis] = (int) step[i] * inStrides[axis];
        }
        return new View(offset, strides);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        long[] axes = inputs.length > 4 && inputs[4] != null ? inputs[4].toLongArray() : null;
        View v = view(in.shape(), out.shape(), inputs[1].toLongArray(), inputs[2].toLongArray(),
                inputs[3].toLongArray(), axes);
        StridedView.copy(in, v.offset(), out.shape(), v.strides(), out);
    }
}
