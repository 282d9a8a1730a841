package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.HSwish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.PostOps;

/** The activations a pattern takes as its last post-op, with their parameters. */
final class PostOpPatterns {
    private PostOpPatterns() {
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
        return channels > 0 && ChannelValues.of(slope.knownValue(), channels, 4, 1) != null
                ? PostOps.Activation.PRELU : null;
    }

}
