package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.HSwish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.PostOps;
import java.util.List;
import java.util.Set;

/** The activations a pattern takes as its last post-op, with their parameters. */
final class PostOpPatterns {
    private PostOpPatterns() {
    }

    /**
     * The activation a pattern ends with, as it walks the chain after its product: none until {@link #take} or
     * {@link #swish} finds one; then {@link #postOps} with the bias (and residual) gathered on the way.
     */
    static final class Ending {
        private PostOps.Activation kind = PostOps.Activation.NONE;
        private float[] params = new float[2];
        private float[] slopes;

        /** Whether an activation was taken (the walk stops there). */
        boolean found() {
            return kind != PostOps.Activation.NONE;
        }

        /**
         * SiLU written out after {@code current} ({@link PostOpPatterns#swish}): taken as the swish post-op with beta
         * 1, its two nodes added to {@code nodes}; returns the value after it, or {@code null} when there is none.
         */
        Value swish(Value current, Set<Node> taken, List<Node> nodes) {
            List<Node> silu = PostOpPatterns.swish(current, taken);
            if (silu == null) {
                return null;
            }
            kind = PostOps.Activation.SWISH;
            params = new float[] {1, 0};
            nodes.addAll(silu);
            return silu.get(1).output(0);
        }

        /**
         * Takes {@code n} if it is an activation the post-ops fuse ({@link #activation}); a PReLU's slopes are read
         * per channel of {@code channels} along axis 1 of a rank-{@code rank} value. False when {@code n} is none.
         */
        boolean take(Node n, int channels, int rank) {
            PostOps.Activation a = activation(n);
            if (a == null) {
                return false;
            }
            kind = a;
            params = activationParams(n, a);
            slopes = a == PostOps.Activation.PRELU ? ChannelValues.of(n.input(1).knownValue(), channels, rank, 1)
                    : null;
            return true;
        }

        /** The post-ops: {@code bias} (or none), the residual add when {@code residual}, then this activation. */
        PostOps postOps(float[] bias, boolean residual) {
            return kind == PostOps.Activation.PRELU ? PostOps.withPerChannelSlopes(bias, residual, slopes)
                    : new PostOps(bias, residual, kind, params[0], params[1]);
        }
    }

    /** The scalar parameters {alpha, beta} of a fusable activation node, as {@link PostOps} takes them. */
    static float[] activationParams(Node n, PostOps.Activation a) {
        return switch (a) {
            case CLAMP -> new float[] {(float) ((Clamp) n.op()).min(), (float) ((Clamp) n.op()).max()};
            case ELU -> new float[] {(float) ((Elu) n.op()).alpha(), 0};
            case LEAKY_RELU -> new float[] {(float) n.input(1).knownValue().getDouble(0), 0};
            default -> new float[2];
        };
    }

    /** The activation {@code n} fuses as, or {@code null}. */
    static PostOps.Activation activation(Node n) {
        return switch (n.op()) {
            case Relu r -> PostOps.Activation.RELU;
            case Clamp c -> PostOps.Activation.CLAMP;
            case Sigmoid s -> PostOps.Activation.SIGMOID;
            case HSwish h -> PostOps.Activation.HSWISH;
            case Elu e -> PostOps.Activation.ELU;
            case PRelu p -> preluKind(n);
            default -> null;
        };
    }

    /**
     * SiLU written out as {@code v · Sigmoid(v)} (YOLOX, YOLOv5–8, EfficientNet exports): {@code v} read by exactly a
     * Sigmoid and a Multiply of {@code v} by that Sigmoid's output, which the Multiply alone reads, neither node
     * taken and the product of {@code v}'s shape. Returns the two nodes (Sigmoid, Multiply), which then run as the
     * {@link PostOps.Activation#SWISH} post-op with beta 1; else {@code null}.
     */
    static List<Node> swish(Value v, Set<Node> taken) {
        List<Node> readers = v.consumers();
        if (readers.size() != 2) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            Node sigmoid = readers.get(i);
            Node mul = readers.get(1 - i);
            if (!(sigmoid.op() instanceof Sigmoid) || !(mul.op() instanceof Multiply) || taken.contains(sigmoid)
                    || taken.contains(mul) || sigmoid.input(0) != v) {
                continue;
            }
            Value s = sigmoid.output(0);
            boolean product = mul.input(0) == v && mul.input(1) == s || mul.input(0) == s && mul.input(1) == v;
            if (product && s.soleConsumer() == mul && mul.output(0).shape().equals(v.shape())
                    && s.type() == ElementType.F32 && mul.output(0).type() == ElementType.F32) {
                return List.of(sigmoid, mul);
            }
        }
        return null;
    }

    /**
     * PReLU with one constant slope fuses as LeakyReLU; with one slope per output channel as PRELU: axis 1 of an
     * NCHW tensor, or of a matrix product's {@code [rows, columns]} result (one slope per column).
     */
    private static PostOps.Activation preluKind(Node n) {
        Value slope = n.input(1);
        if (!slope.isKnown() || slope.knownValue().type() != ElementType.F32) {
            return null;
        }
        if (slope.knownValue().size() == 1) {
            return PostOps.Activation.LEAKY_RELU;
        }
        int rank = n.output(0).shape().rank();
        int channels = rank == 4 || rank == 2 ? n.output(0).shape().dim(1) : -1;
        return channels > 0 && ChannelValues.of(slope.knownValue(), channels, rank, 1) != null
                ? PostOps.Activation.PRELU : null;
    }

}
