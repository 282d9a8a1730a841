package dev.infero.tflite;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Runs a graph with the ops' reference evaluation (the frontend module cannot depend on the CPU device). */
final class GraphRunner {
    private GraphRunner() {
    }

    /** The results' values for {@code inputs} (one per parameter, in order). */
    static List<Tensor> run(Graph graph, Tensor... inputs) {
        graph.sortTopologically();
        Map<Value, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < graph.parameters().size(); i++) {
            values.put(graph.parameters().get(i).output(0), inputs[i]);
        }
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Parameter) {
                continue;
            }
            if (n.outputs().stream().allMatch(Value::isKnown)) {
                n.outputs().forEach(v -> values.put(v, v.knownValue()));
                continue;
            }
            Tensor[] in = n.inputs().stream().map(v -> v == null ? null : values.get(v)).toArray(Tensor[]::new);
            Tensor[] out = new Tensor[n.outputs().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Tensor.allocate(n.output(i).type(), n.output(i).shape().toArray());
            }
            n.op().evaluate(in, out);
            for (int i = 0; i < out.length; i++) {
                values.put(n.output(i), out[i]);
            }
        }
        return graph.results().stream().map(r -> values.get(r.output(0))).toList();
    }
}
