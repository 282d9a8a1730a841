package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.nn.BackpropConvolutionBase;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.DeconvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.DeconvolutionStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds a 2-D f32 ConvolutionBackpropData or GroupConvolutionBackpropData (deconvolution upsampling) with constant
 * weights, static shapes and a constant output_shape if any, and the ops after it that run as its post-ops: a chain of
 * per-channel affine ops (bias Add, Multiply, BatchNorm; {@link ConvolutionFusion.Affine}) and one activation, each
 * the only reader of the value before it. It runs as {@link DeconvolutionStep} (GEMM and col2im) instead of the
 * reference scatter.
 */
final class DeconvolutionFusion {
    private DeconvolutionFusion() {
    }

    static Fused match(Node deconv, Set<Node> taken) {
        if (!(deconv.op() instanceof BackpropConvolutionBase op) || op.window().rank() != 2) {
            return null;
        }
        Value data = deconv.input(0);
        Value weights = deconv.input(1);
        Value out = deconv.output(0);
        boolean outputShape = deconv.inputs().size() > 2;
        if (data.type() != ElementType.F32 || !data.shape().isStatic() || !out.shape().isStatic()
                || out.type() != ElementType.F32 || !weights.isKnown()
                || weights.knownValue().type() != ElementType.F32 || outputShape && !deconv.input(2).isKnown()) {
            return null;
        }
        int[] in = data.shape().toArray();
        int[] w = weights.knownValue().shape();
        int[] o = out.shape().toArray();
        long[] shape = outputShape ? deconv.input(2).knownValue().toLongArray() : null;
        int k = op.kernelStart();
        WindowGeometry win = op.window();
        DeconvKernel.Geometry g = new DeconvKernel.Geometry(in[0], in[1], in[2], in[3], o[1], o[2], o[3], w[k],
                w[k + 1], (int) win.strides()[0], (int) win.strides()[1], (int) win.dilations()[0],
                (int) win.dilations()[1], op.padBegin(0, in[2], w[k], shape), op.padBegin(1, in[3], w[k + 1], shape),
                op.groups(w));
        List<Node> nodes = new ArrayList<>(List.of(deconv));
        float[] scale = null;
        float[] bias = null;
        PostOpPatterns.Ending ending = new PostOpPatterns.Ending();
        Value current = out;
        while (!ending.found()) {
            Value afterSilu = ending.swish(current, taken, nodes);
            if (afterSilu != null) {
                current = afterSilu;
                break;
            }
            Node next = current.soleConsumer();
            if (next == null || taken.contains(next)) {
                break;
            }
            ConvolutionFusion.Affine affine = ConvolutionFusion.Affine.of(next, current, g.cout());
            if (affine != null) {
                scale = affine.scale(scale);
                bias = affine.shift(bias);
            } else if (!ending.take(next, g.cout(), 4)) {
                break;
            }
            nodes.add(next);
            current = next.output(0);
        }
        PostOps post = ending.postOps(bias, false);
        if (scale != null) {
            post = post.scaledBy(scale);
        }
        return new Fused(nodes, new DeconvolutionStep(g, weights.knownValue().floats(), post), List.of(data), current);
    }
}
