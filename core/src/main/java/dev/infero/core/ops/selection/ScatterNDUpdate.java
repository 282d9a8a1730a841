package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * ScatterNDUpdate-15: a copy of data in which the slices addressed by the k-tuples in the last dimension of indices
 * are combined with the matching slices of updates ({@code indices.shape[:-1] + data.shape[k:]}) by
 * {@code reduction} (none = overwrite, sum, sub, prod, min, max). Updates apply in row-major order of indices;
 * negative indices count from the end of their axis.
 */
public final class ScatterNDUpdate extends Op {
    private static final Attribute<ScatterNDUpdate, String> REDUCTION = Attribute.string("reduction",
            (ScatterNDUpdate op) -> op.reduction.irName()).orElse("none");
    public static final OpSpec<ScatterNDUpdate> SPEC = OpSpec.of(ScatterNDUpdate.class, "ScatterNDUpdate", "opset15",
            a -> new ScatterNDUpdate(REDUCTION.read(a)), REDUCTION);

    private final ScatterReduction reduction;

    public ScatterNDUpdate(String reduction) {
        this.reduction = ScatterReduction.parse(reduction);
        if (this.reduction == ScatterReduction.MEAN) {
            throw new IllegalArgumentException("ScatterNDUpdate has no 'mean' reduction");
        }
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        Indices.checkScatterInputs(ctx);
        if (data.isStatic() && indices.isStatic() && ctx.inputShape(2).isStatic()) {
            int[] d = data.toArray();
            int[] ix = indices.toArray();
            int k = ix.length == 0 ? 0 : ix[ix.length - 1];
            if (ix.length == 0 || k > d.length) {
                throw ctx.error("indices " + indices + " must end in tuples of at most rank(data) = " + d.length);
            }
            int[] expected = new int[ix.length - 1 + d.length - k];
            System.arraycopy(ix, 0, expected, 0, ix.length - 1);
            System.arraycopy(d, k, expected, ix.length - 1, d.length - k);
            if (!PartialShape.of(expected).equals(ctx.inputShape(2))) {
                throw ctx.error("updates must have shape " + PartialShape.of(expected) + ", got " + ctx.inputShape(2));
            }
        }
        ctx.setOutput(0, ctx.inputType(0), data);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor indices = inputs[1];
        Tensor updates = inputs[2];
        Tensor out = outputs[0];
        data.copyTo(out);
        int[] shape = data.shape();
        int[] strides = Shapes.strides(shape);
        int k = indices.dim(indices.rank() - 1);
        int tuples = Shapes.product(indices.shape(), 0, indices.rank() - 1);
        int slice = Shapes.product(shape, k, shape.length);
        for (int t = 0; t < tuples; t++) {
            int target = 0;
            for (int j = 0; j < k; j++) {
                target += Indices.normalize(indices.getLong(t * k + j), shape[j], "axis " + j) * strides[j];
            }
            for (int e = 0; e < slice; e++) {
                reduction.apply(out, target + e, updates, t * slice + e);
            }
        }
    }
}
