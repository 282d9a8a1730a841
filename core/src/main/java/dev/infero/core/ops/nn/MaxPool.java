package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * Max pooling. As MaxPool-8 it also returns, for each maximum, its flattened index in the input (row-major over all
 * dimensions, first maximum on ties, as ONNX's Indices output); as MaxPool-1 (no dilations) it returns the values only.
 * Padded positions never win.
 */
public final class MaxPool extends Pooling {
    /** MaxPool-8's index element type: i64 (default) or i32. */
    private static final Attribute<MaxPool, ElementType> INDEX_TYPE = Attribute.<MaxPool>elementType(
            "index_element_type", p -> p.indexType).orElse(ElementType.I64);
    /**
     * MaxPool-8's axis: indices count positions in the dimensions from this one on (0: over the whole input; 2: within
     * each [N, C] plane); negative counts from the end.
     */
    private static final Attribute<MaxPool, Long> AXIS = Attribute.<MaxPool>integer("axis", p -> p.axis).orElse(0L);
    public static final OpSpec<MaxPool> SPEC_1 = OpSpec.of(MaxPool.class, "MaxPool", "opset1",
            a -> new MaxPool(KERNEL.read(a), WINDOW.read(a, false), false), WINDOW.strides, WINDOW.padsBegin,
            WINDOW.padsEnd, KERNEL, WINDOW.roundingType, WINDOW.autoPad);
    public static final OpSpec<MaxPool> SPEC_8 = OpSpec.of(MaxPool.class, "MaxPool", "opset8",
            a -> new MaxPool(KERNEL.read(a), WINDOW.read(a, true), true, INDEX_TYPE.read(a), AXIS.read(a)), WINDOW.strides, WINDOW.padsBegin,
            WINDOW.padsEnd, KERNEL, WINDOW.roundingType, WINDOW.autoPad, WINDOW.dilations, INDEX_TYPE, AXIS);

    private final boolean withIndices;
    private final ElementType indexType;
    private final long axis;

    /** MaxPool-1 ({@code withIndices} false) or MaxPool-8 with i64 indices over the whole input (axis 0). */
    public MaxPool(long[] kernel, WindowGeometry window, boolean withIndices) {
        this(kernel, window, withIndices, ElementType.I64, 0);
    }

    /** MaxPool-8 with the given index type (i32 or i64) and index axis. */
    public MaxPool(long[] kernel, WindowGeometry window, boolean withIndices, ElementType indexType, long axis) {
        super(kernel, window);
        if (indexType != ElementType.I64 && indexType != ElementType.I32) {
            throw new IllegalArgumentException("MaxPool index_element_type must be i32 or i64, got "
                    + indexType.irName());
        }
        this.withIndices = withIndices;
        this.indexType = indexType;
        this.axis = axis;
    }

    /** The element type of the indices output (i64 unless a MaxPool-8 asks for i32). */
    public ElementType indexType() {
        return indexType;
    }

    /** The first input dimension the indices count over (as written; negative counts from the end). */
    public long axis() {
        return axis;
    }

    /** Whether this is MaxPool-8 (dilations, and a second output with the indices of the maxima). */
    public boolean withIndices() {
        return withIndices;
    }

    /** MaxPool-8 with indices, MaxPool-1 without. */
    @Override
    public OpSpec<MaxPool> spec() {
        return withIndices ? SPEC_8 : SPEC_1;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape out = outputShape(ctx);
        ctx.setOutput(0, ctx.inputType(0), out);
        if (withIndices) {
            int rank = ctx.inputShape(0).hasRank() ? ctx.inputShape(0).rank() : Integer.MAX_VALUE;
            if (rank != Integer.MAX_VALUE && (axis < -rank || axis >= rank)) {
                throw new IllegalArgumentException("MaxPool axis " + axis + " is outside [" + -rank + ", " + (rank - 1)
                        + "] for a rank-" + rank + " input");
            }
            ctx.setOutput(1, indexType, out);
        }
    }

    /**
     * The largest covered value (NaN wins, then the first maximum) and, for MaxPool-8, its flat input index counted from
     * {@code axis} on.
     */
    @Override
    protected void pool(double[] values, int[] positions, int n, int withinPadding, Tensor[] outputs, int at) {
        double best = Double.NEGATIVE_INFINITY;
        int bestAt = -1;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            if (bestAt < 0 || v > best || (Double.isNaN(v) && !Double.isNaN(best))) {
                best = v;
                bestAt = positions[i];
            }
        }
        outputs[0].setDouble(at, best);
        if (withIndices) {
            Tensor indices = outputs[1];
            if (indexType == ElementType.I32) {
                indices.ints()[at] = bestAt;
            } else {
                indices.longs()[at] = bestAt;
            }
        }
    }

    /** Positions count over the input dimensions from {@code axis} on. */
    @Override
    protected int positionSpan(int[] inputShape) {
        int span = 1;
        for (int d = (int) (axis < 0 ? axis + inputShape.length : axis); d < inputShape.length; d++) {
            span *= inputShape[d];
        }
        return span;
    }
}
