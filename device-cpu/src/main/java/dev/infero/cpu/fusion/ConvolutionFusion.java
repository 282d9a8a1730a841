package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
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
 * post-ops: a chain of per-channel affine ops (constant Add, Subtract and Multiply, BatchNormInference; see
 * {@link Affine}) folded into one per-channel scale and bias, an Add of another tensor of the output's shape
 * (residual), then one activation (SiLU also as {@code v · Sigmoid(v)}). Each fused op must be the only reader of the value before it, and no fused value may be a model output.
 * The ops are read through their typed accessors and input shapes.
 */
final class ConvolutionFusion {
    private ConvolutionFusion() {
    }

    static Fused match(Node conv, Set<Node> taken) {
        Chain c = chain(conv, taken);
        if (c == null) {
            return null;
        }
        Int8Plan int8 = QuantizedConvolution.plan(conv, c.geometry(), c.post(), c.scale());
        List<Value> inputs = new ArrayList<>(c.inputs());
        if (int8 != null) {
            inputs.set(0, int8.source());
            return new Fused(c.nodes(), int8.step(), inputs, c.output(), int8.fakeQuantize());
        }
        PostOps post = c.scaledPost();
        float[] w = c.weights();
        Node fq = c.conv().input(0).node();
        var codes = c.geometry().isDepthwise() ? Int8Patterns.channelQuantizers(fq) : null;
        if (codes != null) {
            inputs.set(0, fq.input(0));
            return new Fused(c.nodes(), new ConvolutionStep(c.geometry(), w, codes, post), inputs, c.output(), fq);
        }
        return new Fused(c.nodes(), new ConvolutionStep(c.geometry(), w, post), inputs, c.output());
    }

    /**
     * A float convolution and the ops fused after it, as {@link #chain} found them: the nodes (the convolution
     * first), the values read (data, then the residual when {@code post} adds one), the value produced, the
     * post-ops without the folded per-channel {@code scale} (or {@code null}).
     */
    record Chain(Node conv, ConvGeometry geometry, List<Node> nodes, List<Value> inputs, Value output, PostOps post,
                 float[] scale) {
        /** The op's weights, [Cout, Cin/groups, KH, KW]. */
        float[] weights() {
            return conv.input(1).knownValue().floats();
        }

        /** {@link #post} with the folded scale applied, as the float kernels take them. */
        PostOps scaledPost() {
            return scale == null ? post : post.scaledBy(scale);
        }
    }

    /**
     * The chain starting at {@code conv} (see the class comment), none of whose later nodes is in {@code taken}, or
     * {@code null} when {@code conv} is not a 2-D f32 convolution with constant weights and static shapes.
     */
    static Chain chain(Node conv, Set<Node> taken) {
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
        PostOpPatterns.Ending ending = new PostOpPatterns.Ending();
        float[] scale = null;
        Value current = out;
        while (!ending.found()) {
            Value afterSilu = ending.swish(current, taken, nodes);
            if (afterSilu != null) {
                current = afterSilu;
                break;
            }
            Node next = current.soleConsumer();
            if (next == null || taken.contains(next)) {
                break; // a residual Add is claimed by whichever of its two convolutions comes first
            }
            Affine affine = residual ? null : Affine.of(next, current, g.outChannels());
            if (affine != null) {
                scale = affine.scale(scale);
                bias = affine.shift(bias);
            } else if (next.op() instanceof Add) {
                Value other = next.input(0) == current ? next.input(1) : next.input(0);
                if (!other.isKnown() && !residual && other.type() == ElementType.F32
                        && other.shape().equals(current.shape()) && next.input(0) != next.input(1)) {
                    residual = true;
                    inputs.add(other);
                } else {
                    break;
                }
            } else if (!ending.take(next, g.outChannels(), 4)) {
                break;
            }
            nodes.add(next);
            current = next.output(0);
        }
        return new Chain(conv, g, nodes, inputs, current, ending.postOps(bias, residual), scale);
    }

    /**
     * One per-channel affine op after the convolution, {@code y = x·mul + add} with {@code mul} or {@code add} possibly
     * absent: a BatchNormInference (its scale and shift computed in double like the reference op), a Multiply by a
     * per-channel or scalar constant, an Add of one, or a Subtract of one from the value (TF/Caffe "Scale" layers:
     * Mul → Add, BN → Mul → Add). A chain of them folds into the post-ops' one scale and bias: the scale applies to
     * the finished sum as a BatchNorm does, the shift goes into the bias, each composed in double and rounded once.
     */
    record Affine(float[] mul, float[] add) {
        static Affine of(Node next, Value current, int channels) {
            if (!next.output(0).shape().equals(current.shape()) || next.output(0).type() != ElementType.F32) {
                return null;
            }
            if (next.op() instanceof BatchNormInference op) {
                if (next.input(0) != current) {
                    return null;
                }
                for (int i = 1; i < 5; i++) {
                    Value v = next.input(i);
                    if (!v.isKnown() || v.knownValue().size() != channels || v.knownValue().type() != ElementType.F32
                            || v.knownValue().rank() != 1) {
                        return null;
                    }
                }
                var affine = op.scaleShift(next.input(1).knownValue(), next.input(2).knownValue(),
                        next.input(3).knownValue(), next.input(4).knownValue());
                return new Affine(affine.scaleF32(), affine.shiftF32());
            }
            if (!(next.op() instanceof Multiply || next.op() instanceof Add || next.op() instanceof Subtract)) {
                return null;
            }
            boolean first = next.input(0) == current;
            Value other = first ? next.input(1) : next.input(0);
            if (other == current || !other.isKnown() || next.op() instanceof Subtract && !first) {
                return null;
            }
            float[] values = ChannelValues.of(other.knownValue(), channels, 4, 1);
            if (values == null) {
                return null;
            }
            if (next.op() instanceof Multiply) {
                return new Affine(values, null);
            }
            if (next.op() instanceof Subtract) {
                for (int c = 0; c < channels; c++) {
                    values[c] = -values[c];
                }
            }
            return new Affine(null, values);
        }

        /** The post-op scale after this op: {@code scale·mul} ({@code mul} when there was none). */
        float[] scale(float[] scale) {
            if (mul == null) {
                return scale;
            }
            float[] out = mul.clone();
            for (int c = 0; scale != null && c < out.length; c++) {
                out[c] = (float) ((double) scale[c] * mul[c]);
            }
            return out;
        }

        /** The bias after this op: {@code bias·mul + add}, either part absent as none. */
        float[] shift(float[] bias) {
            if (bias == null && add == null) {
                return null;
            }
            int n = bias != null ? bias.length : add.length;
            float[] out = new float[n];
            for (int c = 0; c < n; c++) {
                double b = bias == null ? 0 : bias[c];
                out[c] = (float) (b * (mul == null ? 1 : mul[c]) + (add == null ? 0 : add[c]));
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
