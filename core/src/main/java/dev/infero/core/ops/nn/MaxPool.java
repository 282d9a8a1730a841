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

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        WindowTable table = table(x.shape(), y.shape());
        int planes = x.shape()[0] * x.shape()[1];
        int inPlane = x.size() / Math.max(planes, 1);
        boolean f32 = x.type() == ElementType.F32;
        float[] xf = f32 ? x.floats() : null;
        for (int p = 0; p < planes; p++) {
            int base = p * inPlane;
            for (int o = 0; o < table.outputs; o++) {
                double best = Double.NEGATIVE_INFINITY;
                int bestAt = -1;
                for (int t = 0; t < table.taps; t++) {
                    int idx = table.index[o * table.taps + t];
                    if (idx < 0) {
                        continue;
                    }
                    double v = f32 ? xf[base + idx] : x.getDouble(base + idx);
                    if (bestAt < 0 || v > best || (Double.isNaN(v) && !Double.isNaN(best))) {
                        best = v;
                        bestAt = base + idx;
                    }
                }
                int at = p * table.outputs + o;
                y.setDouble(at, bestAt < 0 ? Double.NEGATIVE_INFINITY : best);
                if (withIndices) {
                    outputs[1].longs()[at] = bestAt;
                }
            }
        }
    }
}
