package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/** Blocked [N, ⌈C/16⌉, H, W, 16] → NCHW [N, C, H, W] (ONNX Runtime's {@code ReorderOutput}): the padded lanes dropped. */
public final class ReorderOutput extends NchwcOp {
    private final int channels;

    public ReorderOutput(int channels) {
        super("ReorderOutput");
        this.channels = channels;
    }

    /** C, the channels of the NCHW output. */
    public int channels() {
        return channels;
    }

    @Override
    public void infer(InferContext ctx) {
        int[] s = f32Shape(ctx, 0, 5, "ReorderOutput's input");
        if (s[4] != Blocked.BLOCK || s[1] != Blocked.blocks(channels)) {
            throw ctx.error("ReorderOutput of " + channels + " channels cannot read " + ctx.inputShape(0));
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(s[0], channels, s[2], s[3]));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        int[] s = outputs[0].shape();
        Blocked.fromBlocked(inputs[0].floats(), outputs[0].floats(), s[0], s[1], s[2], s[3]);
    }
}
