package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.EltwiseChainStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A chain of element-wise ops on one static f32 tensor that no layer before it takes as post-ops (a standalone
 * BatchNorm, Scale or per-channel Multiply/Add after a residual Add, as pre-activation ResNets and many TensorFlow and
 * Caffe exports have): optionally a residual Add of two tensors of the same shape first, then Multiply, Add or
 * Subtract by a per-channel or scalar constant and BatchNormInference (its {@link BatchNormInference#scaleShift}),
 * then one activation ({@link PostOpPatterns}). The constants compose, in double, into one scale and shift per channel,
 * so the chain runs as one {@link EltwiseChainStep} pass. Each op must be the only reader of the value before it (a
 * value read elsewhere, or a model output, ends the chain); channels lie along axis 1 or, when the constants say so,
 * along the last axis (NHWC). At least two ops, else the single op's own step runs.
 */
final class EltwiseChainFusion {
    private EltwiseChainFusion() {
    }

    static Fused match(Node first, Set<Node> taken) {
        if (first.outputs().size() != 1) {
            return null;
        }
        Value out = first.output(0);
        if (out.type() != ElementType.F32 || !out.shape().isStatic() || out.shape().rank() < 2) {
            return null;
        }
        int[] shape = out.shape().toArray();
        int rank = shape.length;
        List<Node> nodes = new ArrayList<>();
        List<Value> inputs = new ArrayList<>();
        // The channel axis: undecided (-1) until a per-channel constant or a BatchNorm fixes it.
        int axis = -1;
        double[] scale = null;
        double[] shift = null;
        boolean residual = false;
        if (first.op() instanceof Add && isTensor(first.input(0), shape) && isTensor(first.input(1), shape)
                && first.input(0) != first.input(1)) {
            residual = true;
            nodes.add(first);
            inputs.add(first.input(0));
            inputs.add(first.input(1));
        }
        Value current = residual ? out : null;
        PostOps act = PostOps.NONE;
        String actName = null;
        Node next = first;
        while (true) {
            if (current != null) {
                List<Node> silu = PostOpPatterns.swish(current, taken);
                if (silu != null) {
                    act = new PostOps(null, false, PostOps.Activation.SWISH, 1, 0);
                    actName = "swish";
                    nodes.addAll(silu);
                    current = silu.get(1).output(0);
                    break;
                }
                next = current.soleConsumer();
            }
            if (next == null || taken.contains(next) || next.outputs().size() != 1
                    || !next.output(0).shape().equals(out.shape()) || next.output(0).type() != ElementType.F32) {
                break;
            }
            Value x = current != null ? current : dataInput(next, shape);
            if (x == null) {
                break;
            }
            Step s = affineStep(next, x, shape, axis);
            if (s != null) {
                axis = s.axis;
                int channels = axis < 0 ? 1 : shape[axis];
                if (scale == null) {
                    scale = new double[channels];
                    shift = new double[channels];
                    Arrays.fill(scale, 1);
                } else if (scale.length != channels) {
                    double[][] both = widen(scale, shift, channels);
                    scale = both[0];
                    shift = both[1];
                }
                for (int c = 0; c < channels; c++) {
                    double a = s.scale[s.scale.length == 1 ? 0 : c];
                    double b = s.shift[s.shift.length == 1 ? 0 : c];
                    scale[c] *= a;
                    shift[c] = shift[c] * a + b;
                }
            } else {
                PostOps.Activation a = current != null ? PostOpPatterns.activation(next) : null;
                if (a == null || a == PostOps.Activation.PRELU && axis == rank - 1 && rank != 2) {
                    break;
                }
                float[] params = PostOpPatterns.activationParams(next, a);
                if (a == PostOps.Activation.PRELU) {
                    axis = 1;
                    float[] slopes = ChannelValues.of(next.input(1).knownValue(), shape[1], rank, 1);
                    if (slopes == null) {
                        break;
                    }
                    act = PostOps.withPerChannelSlopes(null, false, slopes);
                } else {
                    act = new PostOps(null, false, a, params[0], params[1]);
                }
                actName = a.name().toLowerCase(java.util.Locale.ROOT);
                nodes.add(next);
                current = next.output(0);
                break;
            }
            if (current == null) {
                inputs.add(x);
            }
            nodes.add(next);
            current = next.output(0);
        }
        if (nodes.size() < 2 || current == null) {
            return null;
        }
        boolean channelsLast = axis == rank - 1 && axis != 1;
        if (scale == null) {
            scale = new double[] {1};
            shift = new double[] {0};
        }
        double[][] full = widen(scale, shift, channelsLast ? shape[rank - 1] : shape[1]);
        boolean identity = Arrays.stream(full[0]).allMatch(v -> v == 1) && Arrays.stream(full[1]).allMatch(v -> v == 0);
        String described = String.join("+", java.util.stream.Stream.of(residual ? "add" : null,
                identity ? null : "affine", actName).filter(java.util.Objects::nonNull).toList());
        var step = new EltwiseChainStep(shape, channelsLast, residual, toFloats(full[0]), toFloats(full[1]), act,
                described);
        return new Fused(nodes, step, inputs, current);
    }

    /** One affine op of the chain: its scale and shift (one value or one per channel) and the channel axis. */
    private record Step(double[] scale, double[] shift, int axis) {
    }

    /**
     * {@code node} as {@code x·scale + shift} on its input {@code x}, with channels along {@code axis} (-1: not yet
     * fixed), or {@code null}.
     */
    private static Step affineStep(Node node, Value x, int[] shape, int axis) {
        int rank = shape.length;
        if (node.op() instanceof BatchNormInference bn) {
            if (node.input(0) != x || axis >= 0 && axis != 1) {
                return null;
            }
            Tensor[] p = new Tensor[4];
            for (int i = 0; i < 4; i++) {
                p[i] = node.input(1 + i).knownValue();
                if (p[i] == null || p[i].type() != ElementType.F32 || p[i].size() != shape[1]) {
                    return null;
                }
            }
            var affine = bn.scaleShift(p[0], p[1], p[2], p[3]);
            return new Step(affine.scale(), affine.shift(), 1);
        }
        if (!(node.op() instanceof Add || node.op() instanceof Multiply || node.op() instanceof Subtract)) {
            return null;
        }
        int at = node.input(0) == x ? 0 : node.input(1) == x ? 1 : -1;
        Value k = at < 0 ? null : node.input(1 - at);
        if (k == null || !k.isKnown() || k.knownValue().type() != ElementType.F32 || node.input(0) == node.input(1)) {
            return null;
        }
        Tensor t = k.knownValue();
        int found = axis;
        float[] v;
        if (t.size() == 1) {
            v = t.rank() <= rank ? new float[] {t.floats()[0]} : null;
        } else {
            v = null;
            for (int a : axis >= 0 ? new int[] {axis} : new int[] {1, rank - 1}) {
                v = ChannelValues.of(t, shape[a], rank, a);
                if (v != null) {
                    found = a;
                    break;
                }
            }
        }
        if (v == null) {
            return null;
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        double[] zero = new double[1];
        double[] one = {1};
        return switch (node.op()) {
            case Multiply m -> new Step(d, zero, found);
            case Add a -> new Step(one, d, found);
            default -> at == 0 ? new Step(one, negate(d), found) : new Step(new double[] {-1}, d, found);
        };
    }

    /** The input of a chain's first op that is the tensor (the other one is a constant), or {@code null}. */
    private static Value dataInput(Node n, int[] shape) {
        if (n.inputs().isEmpty()) {
            return null;
        }
        Value x = n.input(0);
        if (n.inputs().size() > 1 && (n.op() instanceof Add || n.op() instanceof Multiply || n.op() instanceof Subtract)
                && x.isKnown()) {
            x = n.input(1);
        }
        return isTensor(x, shape) ? x : null;
    }

    private static boolean isTensor(Value v, int[] shape) {
        return v != null && !v.isKnown() && v.type() == ElementType.F32 && v.shape().isStatic()
                && Arrays.equals(v.shape().toArray(), shape);
    }

    private static double[][] widen(double[] scale, double[] shift, int channels) {
        if (scale.length == channels) {
            return new double[][] {scale, shift};
        }
        double[] s = new double[channels];
        double[] b = new double[channels];
        Arrays.fill(s, scale[0]);
        Arrays.fill(b, shift[0]);
        return new double[][] {s, b};
    }

    private static double[] negate(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
