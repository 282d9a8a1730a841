package dev.infero.testing;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a static-shaped graph with the ops' reference evaluation, node by node: for frontend tests, which cannot
 * depend on a device (the api depends on the frontends).
 */
public final class ReferenceRunner {
    private ReferenceRunner() {
    }

    /** The results' values, in order, for {@code inputs} given one per parameter in order. */
    public static java.util.List<Tensor> run(Graph g, Tensor... inputs) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < g.parameters().size(); i++) {
            byName.put(g.parameters().get(i).name(), inputs[i]);
        }
        Map<String, Tensor> results = run(g, byName);
        return g.results().stream().map(r -> results.get(r.name())).toList();
    }

    /** Output tensors by result name and by each output tensor name, for inputs given by parameter name. */
    public static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
        g.sortTopologically();
        Map<Value, Tensor> values = new IdentityHashMap<>();
        Map<String, Tensor> results = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Parameter) {
                Tensor t = inputs.get(n.name());
                if (t == null) {
                    throw new IllegalArgumentException("no input for " + n.name());
                }
                values.put(n.output(0), t);
                continue;
            }
            if (n.op() instanceof Result) {
                Tensor t = values.get(n.input(0));
                results.put(n.name(), t);
                n.output(0).names().forEach(name -> results.put(name, t));
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
        return results;
    }
}
