package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * GatherElements-6: {@code out[i_0, ..., i_axis, ...] = data[i_0, ..., indices[i_0, ..., i_axis, ...], ...]}. The
 * output has the shape of indices, which has the rank of data; negative indices count from the end of the axis.
 */
public final class GatherElements extends Op {
    private static final Attribute<GatherElements, Long> AXIS = Attribute.integer("axis", op -> op.axis);
    public static final OpSpec<GatherElements> SPEC = OpSpec.of(GatherElements.class, "GatherElements", "opset6",
            a -> new GatherElements(AXIS.read(a)), AXIS);

    private final long axis;

    public GatherElements(long axis) {
        this.axis = axis;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        ctx.requireInteger(1, "indices");
        if (data.hasRank() && indices.hasRank()) {
            if (data.rank() != indices.rank()) {
                throw ctx.error("data " + data + " and indices " + indices + " must have the same rank");
            }
            ctx.axis(axis, data.rank());
        }
        ctx.setOutput(0, ctx.inputType(0), indices);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor indices = inputs[1];
        Tensor out = outputs[0];
        int a = Shapes.normalizeAxis(axis, data.rank());
        int[] dataStrides = Shapes.strides(data.shape());
        int[] index = new int[indices.rank()];
        for (int i = 0; i < out.size(); i++) {
            int src = 0;
            for (int d = 0; d < index.length; d++) {
                int coord = d == a ? Indices.normalize(indices.getLong(i), data.dim(a), "axis " + a) : index[d];
                src += coord * dataStrides[d];
            }
            data.copyElement(src, out, i);
            for (int d = index.length - 1; d >= 0 && ++index[d] == indices.dim(d); d--) {
                index[d] = 0;
            }
        }
    }
}
