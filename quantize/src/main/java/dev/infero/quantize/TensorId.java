package dev.infero.quantize;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;

/**
 * A tensor named by its producer's node name and output port: stable between two reads of the same model file, so
 * statistics gathered on one copy of the graph apply to another.
 */
public record TensorId(String node, int port) {
    public static TensorId of(Value v) {
        return new TensorId(v.node().name(), v.index());
    }

    public Value in(Graph graph) {
        for (Node n : graph.nodes()) {
            if (n.name().equals(node)) {
                return n.output(port);
            }
        }
        throw new IllegalStateException("no node '" + node + "' in " + graph);
    }

    @Override
    public String toString() {
        return node + ":" + port;
    }
}
