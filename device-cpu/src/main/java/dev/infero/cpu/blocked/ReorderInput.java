package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.tensor.Tensor;

/** NCHW [N, C, H, W] → blocked [N, ⌈C/16⌉, H, W, 16] (ONNX Runtime's {@code ReorderInput}); padded lanes zero. */
public final class ReorderInput extends NchwcOp {
    public ReorderInput() {
        super("ReorderInput");
    }

    @Override
    public void infer(InferContext ctx) {
        int[] s = f32Shape(ctx, 0, 4, "ReorderInput's input");
        ctx.setOutput(0, ctx.inputType(0), Blocked.shape(s[0], s[1], s[2], s[3]));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        block(inputs[0], outputs[0]);
    }
}
