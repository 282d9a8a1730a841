package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/**
 * VariadicSplit-1: splits input 0 along axis (input 1) into parts of the lengths in input 2; one length may be -1,
 * meaning the rest of the dimension. The number of outputs is the number of lengths.
 */
public final class VariadicSplit extends AxisSplit {
    public static final OpSpec<VariadicSplit> SPEC = OpSpec.of(VariadicSplit.class, "VariadicSplit", "opset1",
            a -> new VariadicSplit());

    @Override
    protected int[] lengths(InferContext ctx, int dim) {
        Tensor lengths = ctx.inputValue(2);
        if (lengths == null) {
            PartialShape s = ctx.inputShape(2);
            if (!s.isStatic() || s.rank() != 1) {
                throw ctx.error("split_lengths must be a 1-D tensor of known length, got " + s);
            }
            int[] parts = new int[s.dim(0)];
            Arrays.fill(parts, PartialShape.DYNAMIC);
            return parts;
        }
        if (lengths.rank() != 1) {
            throw ctx.error("split_lengths must be 1-D, got " + lengths.describe());
        }
        long[] l = lengths.toLongArray();
        int[] parts = new int[l.length];
        int rest = -1;
        long sum = 0;
        for (int i = 0; i < l.length; i++) {
            if (l[i] == -1 && rest < 0) {
                rest = i;
            } else if (l[i] < 0) {
                throw ctx.error("split_lengths " + Arrays.toString(l) + " has an invalid length " + l[i]);
            } else {
                parts[i] = (int) l[i];
                sum += l[i];
            }
        }
        if (dim == PartialShape.DYNAMIC) {
            if (rest >= 0) {
                parts[rest] = PartialShape.DYNAMIC;
            }
            return parts;
        }
        if (rest >= 0 ? sum > dim : sum != dim) {
            throw ctx.error("split_lengths " + Arrays.toString(l) + " do not add up to the dimension " + dim);
        }
        if (rest >= 0) {
            parts[rest] = (int) (dim - sum);
        }
        return parts;
    }
}
