package dev.infero.cpu.blocked;

import dev.infero.core.op.InferContext;
import dev.infero.core.ops.nn.ConvolutionBase;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;

/**
 * A 2-D convolution (one group, or depthwise) with its fused post-ops, writing a blocked output (ONNX Runtime's
 * NCHWc {@code Conv}). Input 0 is the data, blocked, or NCHW when {@link #inputBlocked()} is false (stems with few
 * input channels read the image planes as they are); input 1, present when the post-ops add a residual, is a tensor
 * of the output's blocked shape. The semantics are those of the convolution it replaces ({@link #original()}) followed
 * by {@link #post()} per output channel.
 */
public final class NchwcConvolution extends NchwcOp {
    private final ConvolutionBase original;
    private final Tensor weights;
    private final ConvGeometry geometry;
    private final PostOps post;
    private final boolean inputBlocked;
    private final java.util.List<dev.infero.core.graph.Node> fused;

    /**
     * @param original     the convolution op replaced (its attributes and reference evaluation)
     * @param weights      its constant weights, [Cout, Cin/groups, KH, KW] ([groups, 1, 1, KH, KW] for depthwise)
     * @param geometry     the layer's shapes, batch included
     * @param post         post-ops after the sums, scale folded in; a residual makes the op take input 1
     * @param inputBlocked whether input 0 is blocked (else NCHW)
     * @param fused        the nodes of the source graph after the convolution that its post-ops absorbed (reported
     *                     as fused into it by the per-layer counters)
     */
    public NchwcConvolution(ConvolutionBase original, Tensor weights, ConvGeometry geometry, PostOps post,
                            boolean inputBlocked, java.util.List<dev.infero.core.graph.Node> fused) {
        this.fused = java.util.List.copyOf(fused);
        super("Conv");
        this.original = original;
        this.weights = weights;
        this.geometry = geometry;
        this.post = post;
        this.inputBlocked = inputBlocked;
    }

    public ConvolutionBase original() {
        return original;
    }

    /** The weights as the original op holds them. */
    public Tensor weights() {
        return weights;
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    public PostOps post() {
        return post;
    }

    public boolean inputBlocked() {
        return inputBlocked;
    }

    /** The source graph's nodes after the convolution that its post-ops absorbed. */
    public java.util.List<dev.infero.core.graph.Node> fused() {
        return fused;
    }

    @Override
    public void infer(InferContext ctx) {
        ConvGeometry g = geometry;
        int[] in = f32Shape(ctx, 0, inputBlocked ? 5 : 4, "Conv's data");
        int[] expected = inputBlocked ? new int[] {g.batch(), Blocked.blocks(g.inChannels()), g.inH(), g.inW(),
                Blocked.BLOCK} : new int[] {g.batch(), g.inChannels(), g.inH(), g.inW()};
        if (!java.util.Arrays.equals(in, expected)) {
            throw ctx.error("Conv planned for input " + java.util.Arrays.toString(expected) + " got "
                    + ctx.inputShape(0));
        }
        var out = Blocked.shape(g.batch(), g.outChannels(), g.outH(), g.outW());
        if (post.hasResidual() != (ctx.inputCount() > 1 && ctx.hasInput(1))) {
            throw ctx.error("Conv's residual input does not match its post-ops");
        }
        if (post.hasResidual() && (ctx.inputType(1) != ElementType.F32 || !ctx.inputShape(1).equals(out))) {
            throw ctx.error("Conv's residual must be f32 " + out + ", got " + ctx.inputShape(1));
        }
        ctx.setOutput(0, ElementType.F32, out);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        ConvGeometry g = geometry;
        Tensor x = inputBlocked ? unblocked(inputs[0], g.inChannels()) : inputs[0];
        Tensor y = Tensor.allocate(ElementType.F32, g.batch(), g.outChannels(), g.outH(), g.outW());
        original.evaluate(new Tensor[] {x, weights}, new Tensor[] {y});
        float[] res = post.hasResidual() ? unblocked(inputs[1], g.outChannels()).floats() : null;
        int plane = g.outH() * g.outW();
        float[] data = y.floats();
        for (int n = 0; n < g.batch(); n++) {
            for (int c = 0; c < g.outChannels(); c++) {
                post.apply(data, (n * g.outChannels() + c) * plane, plane, c, res);
            }
        }
        block(y, outputs[0]);
    }

    @Override
    public long flops(dev.infero.core.graph.Node node) {
        return geometry.flops();
    }
}
