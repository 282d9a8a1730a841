package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.List;

/** Squeeze-1: removes the size-1 dimensions listed in input 1 (all size-1 dimensions when absent). */
public final class Squeeze extends ShapeOnlyOp {
    public static final OpSpec<Squeeze> SPEC = OpSpec.of(Squeeze.class, "Squeeze", "opset1", a -> new Squeeze());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (ctx.unknownRankPassedOn()) {
            return;
        }
        boolean[] drop = new boolean[in.rank()];
        if (ctx.hasInput(1)) {
            Tensor axes = ctx.inputValue(1);
            if (axes == null) {
                ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
                return;
            }
            for (long a : axes.toLongArray()) {
                int axis = Shapes.normalizeAxis(a, in.rank());
                if (in.dim(axis) != 1 && in.dim(axis) != PartialShape.DYNAMIC) {
                    throw ctx.error("cannot squeeze axis " + a + " of size " + in.dim(axis));
                }
                drop[axis] = true;
            }
        } else {
            for (int i = 0; i < drop.length; i++) {
                if (in.dim(i) == PartialShape.DYNAMIC) {
                    ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
                    return;
                }
                drop[i] = in.dim(i) == 1;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < drop.length; i++) {
            if (!drop[i]) {
                out.add(in.dim(i));
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out.stream().mapToInt(Integer::intValue).toArray()));
    }
}
