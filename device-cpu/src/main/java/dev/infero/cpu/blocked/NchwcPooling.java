package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ConvGeometry;

/**
 * Max or average pooling of a blocked tensor into a blocked tensor (ONNX Runtime's NCHWc {@code MaxPool} /
 * {@code AveragePool}), with the semantics of the pooling op it replaces ({@link #original()}): its values output only
 * (a MaxPool-8 whose indices nobody reads).
 */
public final class NchwcPooling extends NchwcOp {
    private final Pooling original;
    private final ConvGeometry geometry;

    /** @param geometry the window as a per-channel convolution's (groups = channels), batch included */
    public NchwcPooling(Pooling original, ConvGeometry geometry) {
        super(original instanceof MaxPool ? "MaxPool" : "AveragePool");
        this.original = original;
        this.geometry = geometry;
    }

    public Pooling original() {
        return original;
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    /** Whether this is max pooling (else average). */
    public boolean isMax() {
        return original instanceof MaxPool;
    }

    /** Average pooling: whether padded positions are left out of the count. */
    public boolean excludePad() {
        return original instanceof AvgPool avg && avg.excludePad();
    }

    /** The padding the op declares after the input rows (average pooling counts positions up to it). */
    public int padBottom() {
        return original.window().padEnd(0, geometry.inH(), geometry.kernelH());
    }

    /** The padding the op declares after the input columns. */
    public int padRight() {
        return original.window().padEnd(1, geometry.inW(), geometry.kernelW());
    }

    @Override
    public void infer(InferContext ctx) {
        ConvGeometry g = geometry;
        int[] in = f32Shape(ctx, 0, 5, "pooling's data");
        if (!java.util.Arrays.equals(in, new int[] {g.batch(), Blocked.blocks(g.inChannels()), g.inH(), g.inW(),
                Blocked.BLOCK})) {
            throw ctx.error("pooling planned for " + g + " got " + ctx.inputShape(0));
        }
        ctx.setOutput(0, ElementType.F32, Blocked.shape(g.batch(), g.outChannels(), g.outH(), g.outW()));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        ConvGeometry g = geometry;
        Tensor x = unblocked(inputs[0], g.inChannels());
        Tensor y = Tensor.allocate(ElementType.F32, g.batch(), g.outChannels(), g.outH(), g.outW());
        Tensor[] outs = original instanceof MaxPool max && max.withIndices()
                ? new Tensor[] {y, Tensor.allocate(max.indexType(), y.shape())} : new Tensor[] {y};
        original.evaluate(new Tensor[] {x}, outs);
        block(y, outputs[0]);
    }
}
