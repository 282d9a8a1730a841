package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.ConvolutionBase;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.ConvolutionStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds a 2-D f32 Convolution or GroupConvolution with constant weights and the ops after it that can run as its
 * post-ops: a per-channel constant Add (bias) and a BatchNormInference (a per-channel scale and bias), an Add of
 * another tensor of the output's shape (residual), then one activation (SiLU, {@code x · sigmoid(x)}, as the
 * Sigmoid and Multiply it is exported as: see {@link PostOpPatterns#siluEnd}). Each fused op must be the only reader of the value before it, and no fused value may be a model output.
 * The ops are read through their typed accessors and input shapes.
 */
final class ConvolutionFusion {
    private ConvolutionFusion() {
    }

    static Fused match(Node conv, Set<Node> taken) {
        if (!(conv.op() instanceof ConvolutionBase)) {
            return null;
        }
        Value data = conv.input(0);
        Value weights = conv.input(1);
        Value out = conv.output(0);
        if (data.type() != ElementType.F32 || !weights.isKnown() || weights.knownValue().type() != ElementType.F32
                || !data.shape().isStatic() || data.shape().rank() != 4 || !out.shape().isStatic()) {
            return null;
        }
        ConvGeometry g = geometry(conv, data.shape().toArray(), weights.knownValue(), out.shape().toArray());
        if (g == null) {
            return null;
        }
        List<Node> nodes = new ArrayList<>(List.of(conv));
        List<Value> inputs = new ArrayList<>(List.of(data));
        float[] bias = null;
        boolean residual = false;
        PostOps.Activation act = PostOps.Activation.NONE;
        float alpha = 0;
        float beta = 0;
        float[] slopes = null;
        float[] scale = null;
        Value current = out;
        while (act == PostOps.Activation.NONE) {
            Node silu = PostOpPatterns.siluEnd(current);
            if (silu != null && !taken.contains(silu)) {
                // x · sigmoid(x): the Sigmoid and the Multiply both read the value, so no sole consumer.
                act = PostOps.Activation.SWISH;
                alpha = 1;
                nodes.add(silu.input(0) == current ? silu.input(1).node() : silu.input(0).node());
                nodes.add(silu);
                current = silu.output(0);
                break;
            }
            Node next = current.soleConsumer();
            if (next == null || taken.contains(next)) {
                break; // a residual Add is claimed by whichever of its two convolutions comes first
            }
            if (next.op() instanceof BatchNormInference op) {
                BatchNorm bn = scale == null && !residual && next.input(0) == current
                        ? BatchNorm.of(next, op, g.outChannels()) : null;
                if (bn == null) {
                    break;
                }
                scale = bn.scale();
                bias = bn.fold(bias);
            } else if (next.op() instanceof Add) {
                Value other = next.input(0) == current ? next.input(1) : next.input(0);
                float[] perChannel = other.isKnown()
                        ? ChannelValues.of(other.knownValue(), g.outChannels(), 4, 1) : null;
                boolean sameShape = next.output(0).shape().equals(current.shape());
                if (perChannel != null && bias == null && sameShape) {
                    bias = perChannel;
                } else if (!other.isKnown() && !residual && other.type() == ElementType.F32
                        && other.shape().equals(current.shape()) && next.input(0) != next.input(1)) {
                    residual = true;
                    inputs.add(other);
                } else {
                    break;
                }
            } else {
                PostOps.Activation a = PostOpPatterns.activation(next);
                if (a == null) {
                    break;
                }
                act = a;
                float[] params = PostOpPatterns.activationParams(next, a);
                alpha = params[0];
                beta = params[1];
                if (a == PostOps.Activation.PRELU) {
                    slopes = ChannelValues.of(next.input(1).knownValue(), g.outChannels(), 4, 1);
                }
            }
            nodes.add(next);
            current = next.output(0);
        }
        PostOps post = act == PostOps.Activation.PRELU ? PostOps.withPerChannelSlopes(bias, residual, slopes)
                : new PostOps(bias, residual, act, alpha, beta);
        Int8Plan int8 = QuantizedConvolution.plan(conv, g, post, scale);
        if (int8 != null) {
            inputs.set(0, int8.source());
            return new Fused(nodes, int8.step(), inputs, current, int8.fakeQuantize());
        }
        if (scale != null) {
            post = post.scaledBy(scale);
        }
        float[] w = weights.knownValue().floats();
        Node fq = data.node();
        var codes = g.isDepthwise() ? Int8Patterns.channelQuantizers(fq) : null;
        if (codes != null) {
            inputs.set(0, fq.input(0));
            return new Fused(nodes, new ConvolutionStep(g, w, codes, post), inputs, current, fq);
        }
        return new Fused(nodes, new ConvolutionStep(g, w, post), inputs, current);
    }

    /**
     * BatchNormInference as the per-channel affine map {@code y = x·scale + shift}, computed in double like the
     * reference op; after a convolution it becomes a per-channel post-op scale, and the shift goes into the bias.
     */
    record BatchNorm(float[] scale, float[] shift) {
        static BatchNorm of(Node bn, BatchNormInference op, int channels) {
            for (int i = 1; i < 5; i++) {
                Value v = bn.input(i);
                if (!v.isKnown() || v.knownValue().size() != channels || v.knownValue().type() != ElementType.F32
                        || v.knownValue().rank() != 1) {
                    return null;
                }
            }
            var affine = op.scaleShift(bn.input(1).knownValue(), bn.input(2).knownValue(), bn.input(3).knownValue(),
                    bn.input(4).knownValue());
            return new BatchNorm(affine.scaleF32(), affine.shiftF32());
        }

        /** The bias after this normalisation: {@code bias·scale + shift} ({@code shift} when there was none). */
        float[] fold(float[] bias) {
            float[] out = shift.clone();
            for (int c = 0; bias != null && c < out.length; c++) {
                out[c] = (float) ((double) bias[c] * scale[c] + shift[c]);
            }
            return out;
        }
    }

    /** Geometry from the op's window; explicit padding is derived from the input size for the auto_pad modes. */
    private static ConvGeometry geometry(Node conv, int[] in, Tensor weights, int[] out) {
        WindowGeometry window = ((ConvolutionBase) conv.op()).window();
        if (window.rank() != 2) {
            return null;
        }
        int[] w = weights.shape();
        int groups = conv.op() instanceof GroupConvolution ? w[0] : 1;
        int kh = w[w.length - 2];
        int kw = w[w.length - 1];
        int[] pads = {window.padBegin(0, in[2], kh), window.padBegin(1, in[3], kw)};
        return new ConvGeometry(in[0], in[1], in[2], in[3], out[1], out[2], out[3], kh, kw,
                (int) window.strides()[0], (int) window.strides()[1], (int) window.dilations()[0],
                (int) window.dilations()[1], pads[0], pads[1], groups);
    }
}
