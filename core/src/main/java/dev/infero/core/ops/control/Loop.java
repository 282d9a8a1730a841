package dev.infero.core.ops.control;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;

/**
 * Loop-5: runs the body while the iteration count is below {@code trip_count} (input 0, a scalar integer; negative:
 * no limit) and the condition holds ({@code execution_condition}, input 1, for the first iteration; the body's
 * condition result after each one). The body may receive the iteration number ({@link Body#currentIteration()}).
 * Other inputs feed body parameters whole, or through back edges as carried values.
 */
public final class Loop extends IteratingOp {
    /** Built from its bodies by {@link ControlFlowOps#create}; it has no attributes. */
    public static final OpSpec<Loop> SPEC = OpSpec.of(Loop.class, "Loop", "opset5", ControlFlowOps::needsBodies);

    public Loop(Body body) {
        super(body);
    }

    @Override
    protected Long iterations(InferContext ctx) {
        Tensor trip = ctx.inputValue(0);
        if (trip == null) {
            return null;
        }
        if (trip.size() != 1 || !trip.type().isInteger()) {
            throw ctx.error("trip_count must be an integer scalar, got " + trip.describe());
        }
        long n = trip.getLong(0);
        Tensor cond = ctx.inputValue(1);
        if (cond != null && cond.size() == 1 && cond.getDouble(0) == 0) {
            return 0L;
        }
        if (n < 0) {
            return -1L;
        }
        return body.condition() >= 0 ? null : Long.valueOf(n);
    }

    @Override
    protected boolean initialCondition(Tensor[] inputs) {
        return inputs.length < 2 || inputs[1] == null || inputs[1].getDouble(0) != 0;
    }

    @Override
    protected long limit(Tensor[] inputs) {
        long n = inputs[0].getLong(0);
        return n < 0 ? -1 : n;
    }
}
