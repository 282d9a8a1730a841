package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/** Concat-1: joins the inputs along {@code axis} (negative counts from the end); other dimensions must agree. */
public final class Concat extends Op {
    private static final Attribute<Concat, Long> AXIS = Attribute.integer("axis", Concat::axis);
    public static final OpSpec<Concat> SPEC = OpSpec.of(Concat.class, "Concat", "opset1",
            a -> new Concat(AXIS.read(a)), AXIS);

    private final long axis;

    public Concat(long axis) {
        this.axis = axis;
    }

    public long axis() {
        return axis;
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputCount() == 0) {
            throw ctx.error("needs at least one input");
        }
        ElementType type = ctx.inputType(0);
        int[] out = null;
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (ctx.inputType(i) != type) {
                throw ctx.error("input element types differ: " + type + " and " + ctx.inputType(i));
            }
            PartialShape s = ctx.inputShape(i);
            if (!s.hasRank()) {
                continue;
            }
            if (s.rank() == 0) {
                throw ctx.error("cannot concatenate scalars");
            }
            int a = axis(ctx, s.rank());
            if (out == null) {
                out = s.dimsOrDynamic();
                out[a] = 0;
            } else if (out.length != s.rank()) {
                throw ctx.error("inputs have different ranks");
            }
            for (int d = 0; d < out.length; d++) {
                if (d == a) {
                    out[d] = out[d] == PartialShape.DYNAMIC || s.isDynamic(d) ? PartialShape.DYNAMIC
                            : out[d] + s.dim(d);
                } else if (out[d] == PartialShape.DYNAMIC) {
                    out[d] = s.dim(d);
                } else if (!s.isDynamic(d) && s.dim(d) != out[d]) {
                    throw ctx.error("dimension " + d + " differs between inputs: " + out[d] + " and " + s.dim(d));
                }
            }
        }
        boolean allRanked = true;
        for (int i = 0; i < ctx.inputCount(); i++) {
            allRanked &= ctx.inputShape(i).hasRank();
        }
        if (out != null && !allRanked) {
            out[axis(ctx, out.length)] = PartialShape.DYNAMIC;
        }
        ctx.setOutput(0, type, out == null ? PartialShape.unknownRank() : PartialShape.of(out));
    }

    private int axis(InferContext ctx, int rank) {
        return ctx.axis(axis, rank);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        int rank = out.rank();
        int a = Shapes.normalizeAxis(axis, rank);
        int outer = Shapes.product(out.shape(), 0, a);
        int outInner = Shapes.product(out.shape(), a, rank);
        int offset = 0;
        for (Tensor in : inputs) {
            int inner = Shapes.product(in.shape(), a, rank);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in.array(), o * inner, out.array(), o * outInner + offset, inner);
            }
            offset += inner;
        }
    }
}
