package dev.infero.cpu;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds a 2-D f32 Convolution or GroupConvolution with constant weights and the ops after it that can run as its
 * post-ops: a per-channel constant Add (bias) and a BatchNormInference (a per-channel scale and bias), an Add of
 * another tensor of the output's shape (residual), then one activation. Each fused op must be the only reader of the value before it, and no fused value may be a model output.
 * The op is read through its IR definition (type, attributes, input shapes), as any device plugin would.
 */
final class ConvolutionFusion {
    /**
     * A matched chain: the ops it covers, the kernel, the values it reads and the value it produces. For an INT8
     * convolution or a depthwise convolution of codes, also the FakeQuantize of its input, which the kernel applies
     * itself to the value before it (its first input).
     */
    record Match(List<Node> nodes, Kernel kernel, List<Value> inputs, Value output, Node quantizer) {
        Match(List<Node> nodes, Kernel kernel, List<Value> inputs, Value output) {
            this(nodes, kernel, inputs, output, null);
        }

        Match withKernel(Kernel k) {
            return new Match(nodes, k, inputs, output, quantizer);
        }
    }

    private ConvolutionFusion() {
    }

    static Match match(Node conv, Map<Value, List<Node>> consumers, java.util.Set<Node> taken) {
        String type = conv.type();
        if (!type.equals("Convolution") && !type.equals("GroupConvolution")) {
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
            Node next = soleConsumer(current, consumers);
            if (next == null || taken.contains(next)) {
                break; // a residual Add is claimed by whichever of its two convolutions comes first
            }
            Map<String, String> attrs = attributes(next);
            if (next.type().equals("BatchNormInference")) {
                BatchNorm bn = scale == null && !residual && next.input(0) == current
                        ? BatchNorm.of(next, attrs, g.outChannels()) : null;
                if (bn == null) {
                    break;
                }
                scale = bn.scale();
                bias = bn.fold(bias);
            } else if (next.type().equals("Add")) {
                Value other = next.input(0) == current ? next.input(1) : next.input(0);
                float[] perChannel = other.isKnown() ? perChannel(other.knownValue(), g.outChannels()) : null;
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
                PostOps.Activation a = activation(next, attrs);
                if (a == null) {
                    break;
                }
                act = a;
                float[] params = activationParams(next, attrs, a);
                alpha = params[0];
                beta = params[1];
                if (a == PostOps.Activation.PRELU) {
                    slopes = perChannel(next.input(1).knownValue(), g.outChannels());
                }
            }
            nodes.add(next);
            current = next.output(0);
        }
        PostOps post = act == PostOps.Activation.PRELU ? PostOps.withPerChannelSlopes(bias, residual, slopes)
                : new PostOps(bias, residual, act, alpha, beta);
        QuantizedConvolution.Plan int8 = QuantizedConvolution.plan(conv, g, post, scale);
        if (int8 != null) {
            inputs.set(0, int8.source());
            return new Match(nodes, int8.kernel(), inputs, current, int8.fakeQuantize());
        }
        if (scale != null) {
            post = post.scaledBy(scale);
        }
        float[] w = weights.knownValue().floats();
        Node fq = data.node();
        var codes = g.isDepthwise() ? QuantizedConvolution.channelQuantizers(fq) : null;
        if (codes != null) {
            inputs.set(0, fq.input(0));
            return new Match(nodes, new ConvolutionKernel(g, w, codes, post), inputs, current, fq);
        }
        return new Match(nodes, new ConvolutionKernel(g, w, post), inputs, current);
    }

    /**
     * BatchNormInference as the per-channel affine map {@code y = x·scale + shift}, computed in double like the
     * reference op; after a convolution it becomes a per-channel post-op scale, and the shift goes into the bias.
     */
    record BatchNorm(float[] scale, float[] shift) {
        static BatchNorm of(Node bn, Map<String, String> attrs, int channels) {
            float[][] p = new float[4][];
            for (int i = 0; i < 4; i++) {
                Value v = bn.input(1 + i);
                p[i] = v.isKnown() && v.knownValue().size() == channels ? perChannel1d(v.knownValue(), channels) : null;
                if (p[i] == null) {
                    return null;
                }
            }
            double epsilon = Double.parseDouble(attrs.get("epsilon"));
            float[] scale = new float[channels];
            float[] shift = new float[channels];
            for (int c = 0; c < channels; c++) {
                double s = p[0][c] / Math.sqrt(p[3][c] + epsilon);
                scale[c] = (float) s;
                shift[c] = (float) (p[1][c] - p[2][c] * s);
            }
            return new BatchNorm(scale, shift);
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

    /** A 1-D f32 tensor of {@code channels} values, copied. */
    private static float[] perChannel1d(Tensor t, int channels) {
        return t.type() == ElementType.F32 && t.rank() == 1 ? Arrays.copyOf(t.floats(), channels) : null;
    }

    /** The one node reading {@code v}, when exactly one does and {@code v} is not a model output. */
    static Node soleConsumer(Value v, Map<Value, List<Node>> consumers) {
        List<Node> readers = consumers.getOrDefault(v, List.of());
        if (readers.size() != 1 || readers.get(0).op() instanceof Result) {
            return null;
        }
        return readers.get(0);
    }

    /** The scalar parameters {alpha, beta} of a fusable activation node, as {@link PostOps} takes them. */
    static float[] activationParams(Node n, Map<String, String> attrs, PostOps.Activation a) {
        return switch (a) {
            case CLAMP -> new float[] {Float.parseFloat(attrs.get("min")), Float.parseFloat(attrs.get("max"))};
            case ELU -> new float[] {Float.parseFloat(attrs.get("alpha")), 0};
            case LEAKY_RELU -> new float[] {(float) n.input(1).knownValue().getDouble(0), 0};
            default -> new float[2];
        };
    }

    /** The activation {@code n} fuses as, or {@code null}. */
    static PostOps.Activation activation(Node n, Map<String, String> attrs) {
        return switch (n.type()) {
            case "ReLU" -> PostOps.Activation.RELU;
            case "Clamp" -> PostOps.Activation.CLAMP;
            case "Sigmoid" -> PostOps.Activation.SIGMOID;
            case "HSwish" -> PostOps.Activation.HSWISH;
            case "Elu" -> attrs.containsKey("alpha") ? PostOps.Activation.ELU : null;
            case "PReLU" -> preluKind(n);
            default -> null;
        };
    }

    /** PReLU with one constant slope fuses as LeakyReLU; with one slope per output channel as PRELU. */
    private static PostOps.Activation preluKind(Node n) {
        Value slope = n.input(1);
        if (!slope.isKnown() || slope.knownValue().type() != ElementType.F32) {
            return null;
        }
        if (slope.knownValue().size() == 1) {
            return PostOps.Activation.LEAKY_RELU;
        }
        int channels = n.output(0).shape().rank() == 4 ? n.output(0).shape().dim(1) : -1;
        return channels > 0 && perChannel(slope.knownValue(), channels) != null ? PostOps.Activation.PRELU : null;
    }

    /** A constant that broadcasts as one value per output channel of an NCHW tensor, as an array of C floats. */
    private static float[] perChannel(Tensor t, int channels) {
        if (t.type() != ElementType.F32) {
            return null;
        }
        int[] s = t.shape();
        boolean shaped = switch (s.length) {
            case 0 -> true;
            case 1 -> s[0] == 1;
            case 3 -> (s[0] == channels || s[0] == 1) && s[1] == 1 && s[2] == 1;
            case 4 -> s[0] == 1 && (s[1] == channels || s[1] == 1) && s[2] == 1 && s[3] == 1;
            default -> false;
        };
        if (!shaped) {
            return null;
        }
        float[] out = new float[channels];
        if (t.size() == 1) {
            Arrays.fill(out, t.floats()[0]);
        } else {
            System.arraycopy(t.floats(), 0, out, 0, channels);
        }
        return out;
    }

    static Map<String, String> attributes(Node n) {
        AttributeSink.Text text = new AttributeSink.Text();
        n.op().describe(text);
        return text.values();
    }

    /** Geometry from the op's attributes; explicit padding is derived from the shapes for the auto_pad modes. */
    private static ConvGeometry geometry(Node conv, int[] in, Tensor weights, int[] out) {
        Map<String, String> a = attributes(conv);
        int[] strides = ints(a.get("strides"));
        int[] dilations = ints(a.get("dilations"));
        int[] padsBegin = ints(a.get("pads_begin"));
        if (strides == null || dilations == null || strides.length != 2 || dilations.length != 2) {
            return null;
        }
        int[] w = weights.shape();
        boolean grouped = conv.type().equals("GroupConvolution");
        int groups = grouped ? w[0] : 1;
        int kh = w[w.length - 2];
        int kw = w[w.length - 1];
        String autoPad = a.getOrDefault("auto_pad", "explicit");
        int[] pads = new int[2];
        for (int i = 0; i < 2; i++) {
            int k = i == 0 ? kh : kw;
            int total = Math.max(0, (out[2 + i] - 1) * strides[i] + (k - 1) * dilations[i] + 1 - in[2 + i]);
            pads[i] = switch (autoPad) {
                case "same_upper" -> total / 2;
                case "same_lower" -> (total + 1) / 2;
                case "valid" -> 0;
                default -> padsBegin == null ? 0 : padsBegin[i];
            };
        }
        int cout = out[1];
        return new ConvGeometry(in[0], in[1], in[2], in[3], cout, out[2], out[3], kh, kw, strides[0], strides[1],
                dilations[0], dilations[1], pads[0], pads[1], groups);
    }

    private static int[] ints(String csv) {
        if (csv == null) {
            return null;
        }
        if (csv.isBlank()) {
            return new int[0];
        }
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
