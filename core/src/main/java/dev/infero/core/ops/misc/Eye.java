package dev.infero.core.ops.misc;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.OutputTypeOp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * Eye-9: a {@code num_rows × num_columns} matrix (scalar integer inputs 0 and 1) of {@code output_type} with ones
 * on the diagonal shifted by {@code diagonal_index} (input 2: positive above the main diagonal, negative below) and
 * zeros elsewhere. Optional input 3, a 1-D {@code batch_shape}, repeats the matrix: output
 * {@code [*batch_shape, num_rows, num_columns]}.
 */
public final class Eye extends OutputTypeOp {
    public static final OpSpec<Eye> SPEC = OpSpec.of(Eye.class, "Eye", "opset9", a -> new Eye(OUTPUT_TYPE.read(a)),
            OUTPUT_TYPE);

    public Eye(ElementType outputType) {
        super(outputType);
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 3; i++) {
            PartialShape s = ctx.inputShape(i);
            if (!ctx.inputType(i).isInteger() || !s.fitsScalar()) {
                throw ctx.error("num_rows, num_columns and diagonal_index must be integer scalars, input " + i
                        + " is " + ctx.inputType(i) + s);
            }
        }
        int batchRank = 0;
        int[] batch = new int[0];
        if (ctx.hasInput(3)) {
            PartialShape b = ctx.inputShape(3);
            if (!b.hasRank() || b.rank() != 1 || b.isDynamic(0)) {
                ctx.setOutput(0, outputType, PartialShape.unknownRank());
                return;
            }
            batchRank = b.dim(0);
            Tensor value = ctx.inputValue(3);
            batch = new int[batchRank];
            for (int i = 0; i < batchRank; i++) {
                batch[i] = value == null ? PartialShape.DYNAMIC : (int) value.getLong(i);
            }
        }
        int[] out = new int[batchRank + 2];
        System.arraycopy(batch, 0, out, 0, batchRank);
        out[batchRank] = size(ctx, 0);
        out[batchRank + 1] = size(ctx, 1);
        ctx.setOutput(0, outputType, PartialShape.of(out));
    }

    private static int size(InferContext ctx, int input) {
        Tensor v = ctx.inputValue(input);
        if (v == null) {
            return PartialShape.DYNAMIC;
        }
        if (v.getLong(0) < 0) {
            throw ctx.error((input == 0 ? "num_rows" : "num_columns") + " must not be negative, got " + v.getLong(0));
        }
        return (int) v.getLong(0);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        int rows = out.dim(out.rank() - 2);
        int cols = out.dim(out.rank() - 1);
        long k = inputs[2].getLong(0);
        for (int i = 0; i < out.size(); i++) {
            long col = i % cols;
            long row = (i / cols) % rows;
            out.setLong(i, col - row == k ? 1 : 0);
        }
    }
}
