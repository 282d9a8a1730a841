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
 * then one activation ({@link PostOpPatterns}). The chain runs as one {@link EltwiseChainStep} pass over memory, each
 * op rounded as its own step rounds it. Each op must be the only reader of the value before it (a
 * value read elsewhere, or a model output, ends the chain); channels lie along axis 1 or, when the constants say so,
 * along the last axis (NHWC). At least two ops, else the single op's own step runs; an activation standing alone
 * that no step of its own runs (clamp, hard swish, ELU, ...) is a chain of one.
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
        List<EltwiseChainStep.Op> ops = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
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
                ops.addAll(s.ops);
                values.addAll(s.values);
            } else {
                // An activation ends the chain; one standing alone is a chain of its own when no step of its own
                // runs it (clamp, hard swish, ELU...: ReLU and sigmoid have EltwiseStep).
                PostOps.Activation a = PostOpPatterns.activation(next);
                if (a == null || a == PostOps.Activation.PRELU && axis == rank - 1 && rank != 2
                        || current == null && (a == PostOps.Activation.RELU || a == PostOps.Activation.SIGMOID
                        || a == PostOps.Activation.PRELU)) {
                    break;
                }
                if (current == null) {
                    inputs.add(x);
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
        boolean lone = nodes.size() == 1 && act != PostOps.NONE;
        if (nodes.size() < 2 && !lone || current == null) {
            return null;
        }
        boolean channelsLast = axis == rank - 1 && axis != 1;
        int channels = channelsLast ? shape[rank - 1] : shape[1];
        float[][] perChannel = new float[values.size()][];
        for (int i = 0; i < perChannel.length; i++) {
            float[] v = values.get(i);
            perChannel[i] = v.length == channels ? v : new float[channels];
            if (v.length != channels) {
                Arrays.fill(perChannel[i], v[0]);
            }
        }
        String described = String.join("+", java.util.stream.Stream.of(residual ? "add" : null,
                ops.isEmpty() ? null : "affine", actName).filter(java.util.Objects::nonNull).toList());
        var step = new EltwiseChainStep(shape, channelsLast, residual, ops.toArray(EltwiseChainStep.Op[]::new),
                perChannel, act, described);
        return new Fused(nodes, step, inputs, current);
    }

    /** One op of the chain as the step's ops (a BatchNorm is two), each with one value or one per channel. */
    private record Step(List<EltwiseChainStep.Op> ops, List<float[]> values, int axis) {
    }

    /**
     * {@code node} as the step's ops on its input {@code x}, with channels along {@code axis} (-1: not yet fixed),
     * or {@code null}.
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
            // As the standalone step applies it: the f32 scale, then the f32 shift.
            var affine = bn.scaleShift(p[0], p[1], p[2], p[3]);
            return new Step(List.of(EltwiseChainStep.Op.MULTIPLY, EltwiseChainStep.Op.ADD),
                    List.of(affine.scaleF32(), affine.shiftF32()), 1);
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
        var op = switch (node.op()) {
            case Multiply m -> EltwiseChainStep.Op.MULTIPLY;
            case Add a -> EltwiseChainStep.Op.ADD;
            default -> at == 0 ? EltwiseChainStep.Op.SUBTRACT : EltwiseChainStep.Op.SUBTRACT_FROM;
        };
        return new Step(List.of(op), List.<float[]>of(v), found);
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
}
