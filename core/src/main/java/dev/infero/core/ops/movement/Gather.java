package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Gather-8: takes the slices of data (input 0) at the indices (input 1, integer) along axis (input 2, scalar).
 * Output shape: {@code data[:axis] + indices[batch_dims:] + data[axis+1:]}. Negative indices count from the end;
 * as in OpenVINO, an index outside {@code [-dim, dim)} yields a slice of zeros. The first {@code batch_dims}
 * dimensions of data and indices are shared batch dimensions.
 */
public final class Gather extends Op {
    private static final Attribute<Gather, Long> BATCH_DIMS = Attribute.integer("batch_dims",
            (Gather op) -> op.batchDims()).orElse(0L);
    public static final OpSpec<Gather> SPEC = OpSpec.of(Gather.class, "Gather", "opset8",
            a -> new Gather(BATCH_DIMS.read(a)), BATCH_DIMS);

    private final long batchDims;

    public Gather(long batchDims) {
        this.batchDims = batchDims;
    }

    public long batchDims() {
        return batchDims;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.requireInteger(1, "indices");
        PartialShape data = ctx.inputShape(0);
        PartialShape indices = ctx.inputShape(1);
        Tensor axisValue = ctx.requireValue(2, "axis");
        if (!data.hasRank() || !indices.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        int rank = data.rank();
        long a = axisValue.getLong(0);
        int axis = ctx.axis(a, rank);
        int b = batchDims(indices.rank());
        if (b < 0 || b > axis || b > indices.rank()) {
            throw ctx.error("batch_dims " + batchDims + " must be in [0, axis] and at most the indices rank");
        }
        int[] out = new int[rank - 1 + indices.rank() - b];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            out[k++] = data.dim(i);
        }
        for (int i = b; i < indices.rank(); i++) {
            out[k++] = indices.dim(i);
        }
        for (int i = axis + 1; i < rank; i++) {
            out[k++] = data.dim(i);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    private int batchDims(int indicesRank) {
        return (int) (batchDims < 0 ? batchDims + indicesRank : batchDims);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        long[] indices = inputs[1].toLongArray();
        Tensor out = outputs[0];
        int rank = data.rank();
        int axis = Shapes.normalizeAxis(inputs[2].getLong(0), rank);
        int b = batchDims(inputs[1].rank());
        int batches = Shapes.product(data.shape(), 0, b);
        int outer = Shapes.product(data.shape(), b, axis);
        int axisDim = data.dim(axis);
        int inner = Shapes.product(data.shape(), axis + 1, rank);
        int perBatch = indices.length / Math.max(batches, 1);
        Object zeros = null;
        int to = 0;
        for (int batch = 0; batch < batches; batch++) {
            for (int o = 0; o < outer; o++) {
                int base = (batch * outer + o) * axisDim;
                for (int j = 0; j < perBatch; j++, to += inner) {
                    long index = indices[batch * perBatch + j];
                    if (index < 0) {
                        index += axisDim;
                    }
                    if (index < 0 || index >= axisDim) {
                        if (zeros == null) {
                            zeros = Tensor.allocate(data.type(), inner).array();
                        }
                        System.arraycopy(zeros, 0, out.array(), to, inner);
                    } else {
                        System.arraycopy(data.array(), (base + (int) index) * inner, out.array(), to, inner);
                    }
                }
            }
        }
    }
}
