package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * GatherND-8: the last dimension of indices holds k-tuples that address slices of data; the first
 * {@code batch_dims} dimensions of data and indices are shared batch dimensions. Output shape:
 * {@code indices.shape[:-1] + data.shape[batch_dims + k:]}. Negative indices count from the end of their axis.
 */
public final class GatherND extends Op {
    private static final Attribute<GatherND, Long> BATCH_DIMS = Attribute.integer("batch_dims",
            (GatherND op) -> (long) op.batchDims).orElse(0L);
    public static final OpSpec<GatherND> SPEC = OpSpec.of(GatherND.class, "GatherND", "opset8",
            a -> new GatherND((int) (long) BATCH_DIMS.read(a)), BATCH_DIMS);

    private final int batchDims;

    public GatherND(int batchDims) {
        this.batchDims = batchDims;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        ctx.requireInteger(1, "indices");
        if (!data.hasRank() || !indices.hasRank() || indices.rank() > 0 && indices.isDynamic(indices.rank() - 1)) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        if (indices.rank() < 1 || batchDims >= Math.min(data.rank(), indices.rank())) {
            throw ctx.error("batch_dims " + batchDims + " must be less than the ranks of data " + data
                    + " and indices " + indices);
        }
        int k = indices.dim(indices.rank() - 1);
        if (batchDims + k > data.rank()) {
            throw ctx.error("index tuples of length " + k + " exceed the rank of data " + data
                    + " after " + batchDims + " batch dimensions");
        }
        int[] dims = new int[indices.rank() - 1 + data.rank() - batchDims - k];
        int n = 0;
        for (int d = 0; d < indices.rank() - 1; d++) {
            int di = indices.dim(d);
            if (d < batchDims && di != data.dim(d) && di != PartialShape.DYNAMIC && !data.isDynamic(d)) {
                throw ctx.error("batch dimension " + d + " differs: data " + data + ", indices " + indices);
            }
            dims[n++] = d < batchDims && di == PartialShape.DYNAMIC ? data.dim(d) : di;
        }
        for (int d = batchDims + k; d < data.rank(); d++) {
            dims[n++] = data.dim(d);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor indices = inputs[1];
        Tensor out = outputs[0];
        int[] shape = data.shape();
        int k = indices.dim(indices.rank() - 1);
        int batches = Shapes.product(shape, 0, batchDims);
        int batchStride = Shapes.product(shape, batchDims, shape.length);
        int tuplesPerBatch = Shapes.product(indices.shape(), batchDims, indices.rank() - 1);
        int slice = Shapes.product(shape, batchDims + k, shape.length);
        int[] strides = Shapes.strides(shape);
        int o = 0;
        for (int b = 0; b < batches; b++) {
            for (int t = 0; t < tuplesPerBatch; t++) {
                int tuple = (b * tuplesPerBatch + t) * k;
                int src = b * batchStride;
                for (int j = 0; j < k; j++) {
                    int axis = batchDims + j;
                    src += Indices.normalize(indices.getLong(tuple + j), shape[axis], "axis " + axis) * strides[axis];
                }
                for (int e = 0; e < slice; e++) {
                    data.copyElement(src + e, out, o++);
                }
            }
        }
    }
}
