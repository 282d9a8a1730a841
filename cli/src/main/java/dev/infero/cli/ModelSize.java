package dev.infero.cli;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;

/**
 * Size of a model: compute nodes (not counting inputs, constants and outputs), parameters (elements of floating
 * constants) and FLOPs of one inference.
 */
public record ModelSize(int computeNodes, long parameters, long flops) {
    public static ModelSize of(Graph g) {
        int nodes = 0;
        long params = 0;
        long flops = 0;
        for (Node n : g.nodes()) {
            if (n.op() instanceof Constant c) {
                params += c.value().type().isFloating() ? c.value().size() : 0;
            } else if (!(n.op() instanceof Parameter) && !(n.op() instanceof Result)) {
                nodes++;
            }
            flops += n.op().flops(n);
        }
        return new ModelSize(nodes, params, flops);
    }
}
