package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Tile-1: repeats the data (input 0) {@code repeats[i]} times along axis {@code i} (input 1). When the ranks differ
 * the shorter of data shape and repeats is padded with leading 1s.
 */
public final class Tile extends Op {
    public static final OpSpec<Tile> SPEC = OpSpec.of(Tile.class, "Tile", "opset1", a -> new Tile());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor repeats = ctx.inputValue(1);
        if (ctx.unknownRankPassedOn()) {
            return;
        }
        if (repeats == null) {
            PartialShape rs = ctx.inputShape(1);
            ctx.setOutput(0, ctx.inputType(0), rs.isStatic() && rs.rank() == 1
                    ? PartialShape.dynamic(Math.max(in.rank(), rs.dim(0))) : PartialShape.unknownRank());
            return;
        }
        long[] r = repeats.toLongArray();
        int rank = Math.max(in.rank(), r.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int di = i - (rank - in.rank());
            int ri = i - (rank - r.length);
            int d = di < 0 ? 1 : in.dim(di);
            long rep = ri < 0 ? 1 : r[ri];
            if (rep < 0) {
                throw ctx.error("repeats must not be negative, got " + rep);
            }
            out[i] = d == PartialShape.DYNAMIC ? d : (int) (d * rep);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        if (out.size() == 0) {
            return;
        }
        int rank = out.rank();
        Tensor in = inputs[0];
        if (rank == 0) {
            in.copyTo(out);
            return;
        }
        int[] inShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            int di = i - (rank - in.rank());
            inShape[i] = di < 0 ? 1 : in.dim(di);
        }
        int[] inStrides = Shapes.strides(inShape);
        int width = inShape[rank - 1];
        int outWidth = out.dim(rank - 1);
        int rows = out.size() / outWidth;
        int[] index = new int[rank - 1];
        for (int r = 0, to = 0; r < rows; r++, to += outWidth) {
            int from = 0;
            for (int a = 0; a < rank - 1; a++) {
                from += index[a] % inShape[a] * inStrides[a];
            }
            for (int k = 0; k < outWidth; k += width) {
                System.arraycopy(in.array(), from, out.array(), to + k, width);
            }
            for (int a = rank - 2; a >= 0 && ++index[a] == out.dim(a); a--) {
                index[a] = 0;
            }
        }
    }
}
