package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/** Unsqueeze-1: inserts size-1 dimensions at the output positions listed in input 1. */
public final class Unsqueeze extends ShapeOnlyOp {
    public static final OpSpec<Unsqueeze> SPEC = OpSpec.of(Unsqueeze.class, "Unsqueeze", "opset1",
            a -> new Unsqueeze());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor axes = ctx.inputValue(1);
        if (!in.hasRank() || axes == null) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        long[] a = axes.toLongArray();
        int rank = in.rank() + a.length;
        boolean[] inserted = new boolean[rank];
        for (long axis : a) {
            int n = Shapes.normalizeAxis(axis, rank);
            if (inserted[n]) {
                throw ctx.error("axis " + axis + " is repeated");
            }
            inserted[n] = true;
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : in.dim(j++);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }
}
