package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

/**
 * A spatial Interpolate of a blocked tensor into a blocked tensor (ONNX Runtime's NCHWc {@code Upsample}), with the
 * semantics of the op it replaces ({@link #original()}, its sizes/scales/axes inputs known at compile time): each
 * output pixel's 16 lanes come from the input pixels the op reads for it.
 */
public final class NchwcResize extends NchwcOp {
    private final Interpolate original;
    private final Tensor[] constants;
    private final int[] in;
    private final int[] out;

    /**
     * @param constants the original op's inputs: index 0 empty, the others their known values ({@code null} where a
     *                  port is absent)
     * @param in        the NCHW input dimensions
     * @param out       the NCHW output dimensions
     */
    public NchwcResize(Interpolate original, Tensor[] constants, int[] in, int[] out) {
        super("Upsample");
        this.original = original;
        this.constants = constants.clone();
        this.in = in.clone();
        this.out = out.clone();
    }

    public Interpolate original() {
        return original;
    }

    /** The original op's inputs for its evaluation: a copy with index 0 empty. */
    public Tensor[] constants() {
        return constants.clone();
    }

    /** The NCHW input dimensions. */
    public int[] in() {
        return in.clone();
    }

    /** The NCHW output dimensions. */
    public int[] out() {
        return out.clone();
    }

    @Override
    public void infer(InferContext ctx) {
        int[] s = f32Shape(ctx, 0, 5, "Upsample's data");
        if (!java.util.Arrays.equals(s, new int[] {in[0], Blocked.blocks(in[1]), in[2], in[3], Blocked.BLOCK})) {
            throw ctx.error("Upsample planned for " + java.util.Arrays.toString(in) + " got " + ctx.inputShape(0));
        }
        ctx.setOutput(0, ElementType.F32, Blocked.shape(out[0], out[1], out[2], out[3]));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor[] args = constants.clone();
        args[0] = unblocked(inputs[0], in[1]);
        Tensor y = Tensor.allocate(ElementType.F32, out);
        original.evaluate(args, new Tensor[] {y});
        block(y, outputs[0]);
    }
}
