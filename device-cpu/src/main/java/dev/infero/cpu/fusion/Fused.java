package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.cpu.step.Step;
import java.util.List;

/**
 * A matched chain: the ops it covers (the first is the step's node, the others are reported as fused into it), the
 * step that runs them, the values it reads and the values it produces (one, except for sibling convolutions run as
 * one, {@link SiblingConvolutionFusion}), and the node {@code at} which the step runs, when everything it reads has
 * been computed (a chain's last node; for siblings, the first convolution). For an INT8 convolution or matrix
 * product, or a depthwise convolution of codes, also the FakeQuantize of its input, which the step applies itself to
 * the value before it (its first input).
 */
public record Fused(List<Node> nodes, Step<?> step, List<Value> inputs, List<Value> outputs, Node quantizer,
                    Node at) {
    Fused(List<Node> nodes, Step<?> step, List<Value> inputs, Value output) {
        this(nodes, step, inputs, output, null);
    }

    Fused(List<Node> nodes, Step<?> step, List<Value> inputs, Value output, Node quantizer) {
        this(nodes, step, inputs, List.of(output), quantizer, nodes.get(nodes.size() - 1));
    }

    Fused withStep(Step<?> s) {
        return new Fused(nodes, s, inputs, outputs, quantizer, at);
    }

    /** The (first) value the step produces. */
    public Value output() {
        return outputs.get(0);
    }
}
