package dev.infero.transforms;

import dev.infero.core.graph.Graph;

/** Removes nodes no model output depends on. */
public final class DeadNodeElimination implements Pass {
    @Override
    public String name() {
        return "dead-node-elimination";
    }

    @Override
    public int apply(Graph graph) {
        return graph.removeDeadNodes();
    }
}
