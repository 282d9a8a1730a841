package dev.infero.api;

import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.types.PartialShape;
import java.util.List;

/** A model read into memory, not yet compiled. Its inputs may be reshaped before compiling. */
public final class Model {
    private final Graph graph;

    Model(Graph graph) {
        this.graph = graph;
    }

    public String name() {
        return graph.name();
    }

    public List<PortInfo> inputs() {
        return graph.parameters().stream().map(p -> PortInfo.of(p.output(0))).toList();
    }

    public List<PortInfo> outputs() {
        return graph.results().stream().map(r -> PortInfo.of(r.output(0))).toList();
    }

    /** Sets the shape of input {@code name} (for dynamic dimensions) and re-infers all shapes. */
    public void reshape(String name, PartialShape shape) {
        graph.reshape(graph.parameter(name), shape);
    }

    /** The underlying graph, for tools that inspect or transform it. */
    public Graph graph() {
        return graph;
    }
}
