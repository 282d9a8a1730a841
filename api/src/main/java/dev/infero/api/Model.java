package dev.infero.api;

import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
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
        return graph.parameters().stream().map(p -> port(p.output(0), p)).toList();
    }

    public List<PortInfo> outputs() {
        return graph.results().stream().map(r -> port(r.output(0), r)).toList();
    }

    /** Sets the shape of input {@code name} (for dynamic dimensions) and re-infers all shapes. */
    public void reshape(String name, PartialShape shape) {
        graph.reshape(graph.parameter(name), shape);
    }

    /** The underlying graph, for tools that inspect or transform it. */
    public Graph graph() {
        return graph;
    }

    private static PortInfo port(Value v, Node node) {
        String name = v.names().isEmpty() ? node.name() : v.names().iterator().next();
        return new PortInfo(name, v.type(), v.shape());
    }
}
