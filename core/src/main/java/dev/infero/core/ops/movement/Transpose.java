package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Transpose-1: output dimension {@code i} is input dimension {@code order[i]} (input 1, integer). An empty order
 * reverses the dimensions.
 */
public final class Transpose extends Op {
    public static final OpSpec<Transpose> SPEC = OpSpec.of(Transpose.class, "Transpose", "opset1",
            a -> new Transpose());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor order = ctx.inputValue(1);
        if (ctx.unknownRankPassedOn()) {
            return;
        }
        if (order == null) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(in.rank()));
            return;
        }
        int[] perm = permutation(ctx, order, in.rank());
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = in.dim(perm[i]);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    private static int[] permutation(InferContext ctx, Tensor order, int rank) {
        long[] o = order.toLongArray();
        int[] perm = new int[rank];
        if (o.length == 0) {
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
            return perm;
        }
        if (o.length != rank) {
            throw ctx.error("order has " + o.length + " entries but the input has rank " + rank);
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            if (o[i] < 0 || o[i] >= rank || seen[(int) o[i]]) {
                throw ctx.error("order " + java.util.Arrays.toString(o) + " is not a permutation of 0.." + (rank - 1));
            }
            perm[i] = (int) o[i];
            seen[perm[i]] = true;
        }
        return perm;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        long[] o = inputs[1].toLongArray();
        int rank = in.rank();
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = o.length == 0 ? rank - 1 - i : (int) o[i];
        }
        permute(in, in.shape(), perm, outputs[0]);
    }

    /**
     * Writes {@code in}, viewed with shape {@code inShape} (same element count), transposed by {@code perm} into
     * {@code out}. Also the core of DepthToSpace and SpaceToDepth, which are a reshape-transpose-reshape.
     */
    static void permute(Tensor in, int[] inShape, int[] perm, Tensor out) {
        int[] inStrides = Shapes.strides(inShape);
        int[] dims = new int[perm.length];
        int[] strides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            dims[i] = inShape[perm[i]];
            strides[i] = inStrides[perm[i]];
        }
        StridedView.copy(in, 0, dims, strides, out);
    }
}
