package dev.infero.core.ops.slicing;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;

/**
 * StridedSlice-1: numpy/TensorFlow-style basic indexing. Inputs: data, begin, end and optional strides (1-D integer
 * tensors of one length; strides default to 1). Entry i of begin/end/strides is a slice spec that, depending on the
 * masks (lists of 0/1, missing entries are 0), is
 * <ul>
 *   <li>{@code new_axis_mask[i]=1}: a new dimension of size 1 (numpy's {@code np.newaxis});</li>
 *   <li>{@code shrink_axis_mask[i]=1}: the single index begin[i] of the next input axis, which is removed (an index
 *       out of range is an error, not clamped);</li>
 *   <li>{@code ellipsis_mask[i]=1}: as many full input axes as the other specs leave (at most one ellipsis; without
 *       one, trailing axes are taken whole);</li>
 *   <li>otherwise the slice begin[i]:end[i]:stride[i] of the next input axis. {@code begin_mask[i]=1} ignores begin
 *       (start of the axis, or its end for a negative stride), {@code end_mask[i]=1} ignores end (slice to the end,
 *       or the beginning for a negative stride). Negative indices count from the end; out-of-range ones are
 *       clamped.</li>
 * </ul>
 */
public final class StridedSlice extends Op {
    private static final Attribute<StridedSlice, long[]> BEGIN_MASK = Attribute.integers("begin_mask",
            op -> op.beginMask);
    private static final Attribute<StridedSlice, long[]> END_MASK = Attribute.integers("end_mask", op -> op.endMask);
    private static final Attribute<StridedSlice, long[]> NEW_AXIS_MASK = Attribute.integers("new_axis_mask",
            (StridedSlice op) -> op.newAxisMask).orElse(new long[0]);
    private static final Attribute<StridedSlice, long[]> SHRINK_AXIS_MASK = Attribute.integers("shrink_axis_mask",
            (StridedSlice op) -> op.shrinkAxisMask).orElse(new long[0]);
    private static final Attribute<StridedSlice, long[]> ELLIPSIS_MASK = Attribute.integers("ellipsis_mask",
            (StridedSlice op) -> op.ellipsisMask).orElse(new long[0]);
    public static final OpSpec<StridedSlice> SPEC = OpSpec.of(StridedSlice.class, "StridedSlice", "opset1",
            a -> new StridedSlice(BEGIN_MASK.read(a), END_MASK.read(a), NEW_AXIS_MASK.read(a),
                    SHRINK_AXIS_MASK.read(a), ELLIPSIS_MASK.read(a)),
            BEGIN_MASK, END_MASK, NEW_AXIS_MASK, SHRINK_AXIS_MASK, ELLIPSIS_MASK);

    private final long[] beginMask;
    private final long[] endMask;
    private final long[] newAxisMask;
    private final long[] shrinkAxisMask;
    private final long[] ellipsisMask;

    public StridedSlice(long[] beginMask, long[] endMask, long[] newAxisMask, long[] shrinkAxisMask,
                        long[] ellipsisMask) {
        this.beginMask = beginMask.clone();
        this.endMask = endMask.clone();
        this.newAxisMask = newAxisMask.clone();
        this.shrinkAxisMask = shrinkAxisMask.clone();
        this.ellipsisMask = ellipsisMask.clone();
    }

    /** Reads the masks; begin_mask and end_mask are required, the others default to none set. */

    private static boolean isSet(long[] mask, int i) {
        return i < mask.length && mask[i] != 0;
    }

    /** What spec i is, with OpenVINO's precedence: new axis, then shrink, then ellipsis, then a slice. */
    private enum Kind { NEW_AXIS, SHRINK, ELLIPSIS, SLICE }

    private Kind kind(int i) {
        if (isSet(newAxisMask, i)) {
            return Kind.NEW_AXIS;
        }
        if (isSet(shrinkAxisMask, i)) {
            return Kind.SHRINK;
        }
        return isSet(ellipsisMask, i) ? Kind.ELLIPSIS : Kind.SLICE;
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 1; i < 4; i++) {
            if (ctx.hasInput(i)) {
                if (!ctx.inputType(i).isInteger()) {
                    throw ctx.error(new String[] {"", "begin", "end", "strides"}[i] + " (input " + i
                            + ") must be an integer tensor, got " + ctx.inputType(i));
                }
                PartialShape s = ctx.inputShape(i);
                if (s.hasRank() && s.rank() != 1) {
                    throw ctx.error("begin, end and strides must be 1-D, input " + i + " has shape " + s);
                }
            }
        }
        PartialShape data = ctx.inputShape(0);
        Tensor begin = ctx.inputValue(1);
        Tensor end = ctx.inputValue(2);
        Tensor strides = ctx.hasInput(3) ? ctx.inputValue(3) : null;
        boolean valuesKnown = begin != null && end != null && (!ctx.hasInput(3) || strides != null);
        if (valuesKnown && data.isStatic()) {
            try {
                ctx.setOutput(0, ctx.inputType(0), PartialShape.of(plan(data.toArray(), begin, end, strides).outShape));
            } catch (InferoException e) {
                throw ctx.error(e.getMessage());
            }
            return;
        }
        PartialShape beginShape = ctx.inputShape(1);
        if (!data.hasRank() || !beginShape.isStatic()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        try {
            ctx.setOutput(0, ctx.inputType(0), dynamicShape(data.rank(), beginShape.dim(0)));
        } catch (InferoException e) {
            throw ctx.error(e.getMessage());
        }
    }

    /** Without the index values only the rank is known (and the size-1 new axes). */
    private PartialShape dynamicShape(int dataRank, int specs) {
        int newAxes = 0;
        int shrinks = 0;
        boolean ellipsis = false;
        for (int i = 0; i < specs; i++) {
            switch (kind(i)) {
                case NEW_AXIS -> newAxes++;
                case SHRINK -> shrinks++;
                case ELLIPSIS -> ellipsis = true;
                case SLICE -> { }
            }
        }
        if (dataRank + newAxes - shrinks < 0) {
            throw new InferoException(shrinks + " shrink axes index into data of rank " + dataRank);
        }
        int[] out = new int[dataRank + newAxes - shrinks];
        Arrays.fill(out, PartialShape.DYNAMIC);
        if (!ellipsis) {
            int o = 0;
            for (int i = 0; i < specs && o < out.length; i++) {
                Kind k = kind(i);
                if (k == Kind.NEW_AXIS) {
                    out[o++] = 1;
                } else if (k == Kind.SLICE) {
                    o++;
                }
            }
        }
        return PartialShape.of(out);
    }

    /**
     * What the op selects from data of a known shape: per input axis the first index, the signed step and the element
     * count (a shrunk axis selects 1 element), and the output shape (shrunk axes removed, new axes of size 1 added).
     */
    public record Plan(int[] start, int[] step, int[] count, int[] outShape) {
    }

    /** The selection of {@code beginT}/{@code endT}/{@code stridesT} (null: all 1) from data of {@code shape}. */
    public Plan plan(int[] shape, Tensor beginT, Tensor endT, Tensor stridesT) {
        long[] begin = beginT.toLongArray();
        long[] end = endT.toLongArray();
        long[] stride = stridesT == null ? filledOnes(begin.length) : stridesT.toLongArray();
        if (end.length != begin.length || stride.length != begin.length) {
            throw new InferoException("begin, end and strides must have the same length, got " + begin.length + ", "
                    + end.length + " and " + stride.length);
        }
        int realAxes = 0;
        int newAxes = 0;
        int shrinks = 0;
        boolean ellipsis = false;
        for (int i = 0; i < begin.length; i++) {
            switch (kind(i)) {
                case NEW_AXIS -> newAxes++;
                case SHRINK -> {
                    shrinks++;
                    realAxes++;
                }
                case ELLIPSIS -> {
                    if (ellipsis) {
                        throw new InferoException("ellipsis_mask " + Arrays.toString(ellipsisMask)
                                + " has more than one ellipsis");
                    }
                    ellipsis = true;
                }
                case SLICE -> realAxes++;
            }
        }
        if (realAxes > shape.length) {
            throw new InferoException(realAxes + " slice specs index into data of rank " + shape.length);
        }
        int ellipsisSize = shape.length - realAxes;
        int rank = shape.length;
        int[] start = new int[rank];
        int[] step = new int[rank];
        int[] count = new int[rank];
        int[] out = new int[rank + newAxes - shrinks];
        int in = 0;
        int o = 0;
        for (int i = 0; i < begin.length; i++) {
            switch (kind(i)) {
                case NEW_AXIS -> out[o++] = 1;
                case SHRINK -> {
                    long dim = shape[in];
                    if (begin[i] < -dim || begin[i] >= dim) {
                        throw new InferoException("shrink index " + begin[i] + " is out of range for axis " + in
                                + " of size " + dim);
                    }
                    start[in] = (int) (begin[i] < 0 ? begin[i] + dim : begin[i]);
                    step[in] = 1;
                    count[in++] = 1;
                }
                case ELLIPSIS -> {
                    for (int k = 0; k < ellipsisSize; k++) {
                        step[in] = 1;
                        count[in] = shape[in];
                        out[o++] = shape[in++];
                    }
                }
                case SLICE -> {
                    if (stride[i] == 0) {
                        throw new InferoException("stride " + i + " is 0");
                    }
                    slice(shape[in], begin[i], end[i], stride[i], isSet(beginMask, i), isSet(endMask, i), in, start,
                            step, count);
                    out[o++] = count[in++];
                }
            }
        }
        while (in < rank) {
            step[in] = 1;
            count[in] = shape[in];
            out[o++] = shape[in++];
        }
        return new Plan(start, step, count, out);
    }

    /** begin:end:stride on an axis of size {@code dim}: Python's rules for negative and out-of-range indices. */
    private static void slice(long dim, long begin, long end, long stride, boolean ignoreBegin, boolean ignoreEnd,
                              int axis, int[] start, int[] step, int[] count) {
        boolean reverse = stride < 0;
        long b = ignoreBegin ? (reverse ? dim - 1 : 0) : begin < 0 ? begin + dim : begin;
        b = Math.max(0, Math.min(dim - (reverse ? 1 : 0), b));
        long e = ignoreEnd ? (reverse ? -1 : dim) : end < 0 ? end + dim : end;
        e = Math.max(reverse ? -1 : 0, Math.min(dim, e));
        long span = reverse ? b - e : e - b;
        long abs = Math.abs(stride);
        long n = dim == 0 || span <= 0 ? 0 : (span + abs - 1) / abs;
        start[axis] = (int) b;
        step[axis] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, stride));
        count[axis] = (int) n;
    }

    private static long[] filledOnes(int n) {
        long[] ones = new long[n];
        Arrays.fill(ones, 1);
        return ones;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor out = outputs[0];
        Plan p = plan(data.shape(), inputs[1], inputs[2], inputs.length > 3 ? inputs[3] : null);
        int rank = data.rank();
        int[] strides = Shapes.strides(data.shape());
        int total = out.size();
        if (total == 0) {
            return;
        }
        int[] source = new int[total];
        int[] index = new int[rank];
        long offset = 0;
        for (int a = 0; a < rank; a++) {
            offset += (long) p.start[a] * strides[a];
        }
        for (int i = 0; i < total; i++) {
            source[i] = (int) offset;
            // Advance the odometer over the selected input positions, last axis fastest.
            for (int a = rank - 1; a >= 0; a--) {
                offset += (long) p.step[a] * strides[a];
                if (++index[a] < p.count[a]) {
                    break;
                }
                offset -= (long) p.step[a] * strides[a] * p.count[a];
                index[a] = 0;
            }
        }
        Gather.copy(data, source, out);
    }
}
