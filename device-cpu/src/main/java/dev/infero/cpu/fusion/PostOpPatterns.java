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

    /**
     * The Multiply ending a SiLU of {@code x} ({@code x · sigmoid(x)}, as ONNX exports of YOLO-style detectors write it:
     * {@code x} is read by exactly a Sigmoid and a Multiply, the Sigmoid only by that Multiply, which multiplies the
     * two same-shaped f32 tensors), or {@code null}. {@code x} and the Sigmoid's output are then no model outputs.
     */
    static Node siluEnd(Value x) {
        List<Node> readers = x.consumers();
        if (readers.size() != 2 || x.type() != ElementType.F32) {
            return null;
        }
        Node sigmoid = readers.get(0).op() instanceof Sigmoid ? readers.get(0) : readers.get(1);
        Node mul = sigmoid == readers.get(0) ? readers.get(1) : readers.get(0);
        if (!(sigmoid.op() instanceof Sigmoid) || !(mul.op() instanceof Multiply) || sigmoid.input(0) != x) {
            return null;
        }
        Value s = sigmoid.output(0);
        if (s.soleConsumer() != mul || mul.inputs().size() != 2) {
            return null;
        }
        boolean operands = mul.input(0) == x && mul.input(1) == s || mul.input(0) == s && mul.input(1) == x;
        return operands && mul.output(0).shape().equals(x.shape()) ? mul : null;
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
