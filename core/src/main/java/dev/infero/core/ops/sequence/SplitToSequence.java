package dev.infero.core.ops.sequence;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * SplitToSequence (ONNX SplitToSequence-11): input 0 split along {@code axis} into a packed sequence. Without the
 * optional split input, into parts of one (the axis dropped unless {@code keepdims}); with a scalar, into parts of
 * that length (the last one shorter); with a 1-D tensor, into parts of those lengths, which must add up to the
 * dimension.
 */
public final class SplitToSequence extends SequenceOp {
    private static final Attribute<SplitToSequence, Long> AXIS = Attribute.integer("axis",
            (SplitToSequence op) -> op.axis).orElse(0L);
    private static final Attribute<SplitToSequence, Boolean> KEEPDIMS = Attribute.bool("keepdims",
            (SplitToSequence op) -> op.keepDims).orElse(true);
    public static final OpSpec<SplitToSequence> SPEC = OpSpec.of(SplitToSequence.class, "SplitToSequence", "infero",
            a -> new SplitToSequence(AXIS.read(a), KEEPDIMS.read(a)), AXIS, KEEPDIMS);

    private final long axis;
    private final boolean keepDims;

    public SplitToSequence(long axis, boolean keepDims) {
        this.axis = axis;
        this.keepDims = keepDims;
    }

    public long axis() {
        return axis;
    }

    public boolean keepDims() {
        return keepDims;
    }

    @Override
    void check(InferContext ctx) {
        if (ctx.inputShape(0).hasRank()) {
            int rank = ctx.inputShape(0).rank();
            ctx.axis(axis, rank);
        }
        if (ctx.hasInput(1) && (!ctx.inputType(1).isInteger()
                || ctx.inputShape(1).hasRank() && ctx.inputShape(1).rank() > 1)) {
            throw ctx.error("split must be an integer scalar or 1-D tensor, got " + ctx.inputType(1)
                    + ctx.inputShape(1));
        }
    }

    @Override
    Tensor[] compute(Tensor[] inputs) {
        Tensor x = inputs[0];
        int rank = x.rank();
        if (axis < -rank || axis >= rank) {
            throw new InferoException("axis " + axis + " is out of range for rank " + rank);
        }
        int a = (int) (axis < 0 ? axis + rank : axis);
        int dim = x.shape()[a];
        Tensor split = inputs.length > 1 ? inputs[1] : null;
        List<Integer> lengths = new ArrayList<>();
        if (split == null) {
            for (int i = 0; i < dim; i++) {
                lengths.add(1);
            }
        } else if (split.rank() == 0) {
            long chunk = split.getLong(0);
            if (chunk < 1) {
                throw new InferoException("split " + chunk + " must be positive");
            }
            for (long at = 0; at < dim; at += chunk) {
                lengths.add((int) Math.min(chunk, dim - at));
            }
        } else {
            long sum = 0;
            for (int i = 0; i < split.size(); i++) {
                long v = split.getLong(i);
                if (v < 0) {
                    throw new InferoException("split length " + v + " is negative");
                }
                lengths.add((int) v);
                sum += v;
            }
            if (sum != dim) {
                throw new InferoException("split lengths add up to " + sum + ", not the dimension " + dim);
            }
        }
        boolean squeeze = split == null && !keepDims;
        int outer = Shapes.product(x.shape(), 0, a);
        int inner = Shapes.product(x.shape(), a + 1, rank);
        List<Tensor> items = new ArrayList<>();
        int offset = 0;
        for (int len : lengths) {
            int[] s = x.shape().clone();
            s[a] = len;
            Tensor part = Tensor.allocate(x.type(), s);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x.array(), (o * dim + offset) * inner, part.array(), o * len * inner, len * inner);
            }
            if (squeeze) {
                int[] q = new int[rank - 1];
                for (int d = 0, k = 0; d < rank; d++) {
                    if (d != a) {
                        q[k++] = s[d];
                    }
                }
                part = part.reshape(q);
            }
            items.add(part);
            offset += len;
        }
        return pack(x.type(), items);
    }

    @Override
    void inferDynamic(InferContext ctx) {
        setSequenceOutput(ctx, ctx.inputType(0));
    }
}
