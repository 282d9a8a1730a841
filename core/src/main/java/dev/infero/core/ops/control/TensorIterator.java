package dev.infero.core.ops.control;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;

/**
 * TensorIterator-1: runs the body once per part of its sliced inputs (all must give the same number of parts),
 * with carried values through back edges and outputs concatenated over the iterations or taken from the last one.
 */
public final class TensorIterator extends IteratingOp {
    /** Built from its bodies by {@link ControlFlowOps#create}; it has no attributes. */
    public static final OpSpec<TensorIterator> SPEC = OpSpec.of(TensorIterator.class, "TensorIterator",
            "opset1", ControlFlowOps::needsBodies);

    public TensorIterator(Body body) {
        super(body);
        if (body.inputs().stream().noneMatch(i -> i.axis() != null)) {
            throw new dev.infero.core.InferoException("TensorIterator needs at least one sliced input");
        }
        if (body.currentIteration() >= 0 || body.condition() >= 0) {
            throw new dev.infero.core.InferoException("TensorIterator has no iteration or condition ports (Loop has)");
        }
    }

    @Override
    protected Long iterations(InferContext ctx) {
        Long n = null;
        for (Body.Input in : body.inputs()) {
            if (in.axis() == null) {
                continue;
            }
            var shape = ctx.inputShape(in.external());
            if (!shape.hasRank()) {
                return null;
            }
            long parts = partsOf(in, shape);
            if (parts == -2) {
                return null;
            }
            if (n != null && n != parts) {
                throw ctx.error("sliced inputs give " + n + " and " + parts + " iterations");
            }
            n = parts;
        }
        return n;
    }
}
