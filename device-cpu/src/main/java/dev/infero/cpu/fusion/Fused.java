package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.cpu.step.Step;
import java.util.List;

/**
 * A matched chain: the ops it covers (the first is the step's node, the others are reported as fused into it), the
 * step that runs them, the values it reads and the value it produces. For an INT8 convolution or matrix product, or
 * a depthwise convolution of codes, also the FakeQuantize of its input, which the step applies itself to the value
 * before it (its first input).
 */
public record Fused(List<Node> nodes, Step<?> step, List<Value> inputs, Value output, Node quantizer) {
    Fused(List<Node> nodes, Step<?> step, List<Value> inputs, Value output) {
        this(nodes, step, inputs, output, null);
    }

    Fused withStep(Step<?> s) {
        return new Fused(nodes, s, inputs, output, quantizer);
    }

    /** The node the chain ends at: the step runs where it stood. */
    public Node last() {
        return nodes.get(nodes.size() - 1);
    }
}
