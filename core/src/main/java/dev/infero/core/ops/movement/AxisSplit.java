package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Splits input 0 along the axis given by input 1 (a scalar) into consecutive parts, one per output; subclasses say
 * how long each part is. The kernel reads the lengths back from the output shapes.
 */
public abstract class AxisSplit extends Op {
    /**
     * The part lengths along an axis of size {@code dim} ({@link PartialShape#DYNAMIC} when unknown); a part whose
     * length is not known yet is {@link PartialShape#DYNAMIC}.
     */
    protected abstract int[] lengths(InferContext ctx, int dim);

    @Override
    public final void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor axisValue = ctx.requireValue(1, "axis");
        if (axisValue.size() != 1) {
            throw ctx.error("axis must be a scalar, got " + axisValue.describe());
        }
        if (!in.hasRank()) {
            int[] parts = lengths(ctx, PartialShape.DYNAMIC);
            for (int i = 0; i < parts.length; i++) {
                ctx.setOutput(i, ctx.inputType(0), PartialShape.unknownRank());
            }
            return;
        }
        long a = axisValue.getLong(0);
        int axis = ctx.axis(a, in.rank());
        int[] parts = lengths(ctx, in.dim(axis));
        for (int i = 0; i < parts.length; i++) {
            int[] out = in.dimsOrDynamic();
            out[axis] = parts[i];
            ctx.setOutput(i, ctx.inputType(0), PartialShape.of(out));
        }
    }

    @Override
    public final void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        int rank = in.rank();
        int axis = Shapes.normalizeAxis(inputs[1].getLong(0), rank);
        int outer = Shapes.product(in.shape(), 0, axis);
        int inInner = Shapes.product(in.shape(), axis, rank);
        int offset = 0;
        for (Tensor out : outputs) {
            int inner = Shapes.product(out.shape(), axis, rank);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in.array(), o * inInner + offset, out.array(), o * inner, inner);
            }
            offset += inner;
        }
    }
}
