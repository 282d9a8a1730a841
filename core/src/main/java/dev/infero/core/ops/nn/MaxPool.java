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
    /** MaxPool-8's index type and axis: always i64 indices over the whole input, so written but not read back. */
    private static final Attribute<MaxPool, ElementType> INDEX_TYPE = Attribute.<MaxPool>elementType(
            "index_element_type", p -> ElementType.I64).orElse(ElementType.I64);
    private static final Attribute<MaxPool, Long> AXIS = Attribute.<MaxPool>integer("axis", p -> 0L).orElse(0L);
    public static final OpSpec<MaxPool> SPEC_1 = OpSpec.of(MaxPool.class, "MaxPool", "opset1",
            a -> new MaxPool(KERNEL.read(a), WINDOW.read(a, false), false), WINDOW.strides, WINDOW.padsBegin,
            WINDOW.padsEnd, KERNEL, WINDOW.roundingType, WINDOW.autoPad);
    public static final OpSpec<MaxPool> SPEC_8 = OpSpec.of(MaxPool.class, "MaxPool", "opset8",
            a -> new MaxPool(KERNEL.read(a), WINDOW.read(a, true), true), WINDOW.strides, WINDOW.padsBegin,
            WINDOW.padsEnd, KERNEL, WINDOW.roundingType, WINDOW.autoPad, WINDOW.dilations, INDEX_TYPE, AXIS);

    private final boolean withIndices;

    public MaxPool(long[] kernel, WindowGeometry window, boolean withIndices) {
        super(kernel, window);
        this.withIndices = withIndices;
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
            ctx.setOutput(1, ElementType.I64, out);
        }
    }

    /** The largest covered value (NaN wins, then the first maximum) and, for MaxPool-8, its flat input index. */
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
            outputs[1].longs()[at] = bestAt;
        }
    }
}
