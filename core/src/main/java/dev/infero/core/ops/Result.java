package dev.infero.core.ops;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;

/** A model output: passes its input through unchanged. */
public final class Result extends Op {
    public static final OpSpec<Result> SPEC = OpSpec.of(Result.class, "Result", "opset1", a -> new Result());

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        inputs[0].copyTo(outputs[0]);
    }

    @Override
    public boolean isFoldable() {
        return false;
    }
}
