package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges nodes that compute the same thing: the same op type and attributes on the same inputs, or constants with
 * identical contents. Later duplicates are redirected to the first occurrence.
 */
public final class CommonSubexpressionElimination implements Pass {
    @Override
    public String name() {
        return "common-subexpression-elimination";
    }

    @Override
    public int apply(Graph graph) {
        int merged = 0;
        Map<Value, Value> canonical = new IdentityHashMap<>();
        Map<String, List<Node>> seen = new HashMap<>();
        for (Node node : List.copyOf(graph.nodes())) {
            if (node.op() instanceof Parameter || node.op() instanceof Result || !node.op().isFoldable()) {
                continue;
            }
            String key = key(node, canonical);
            Node twin = null;
            for (Node candidate : seen.getOrDefault(key, List.of())) {
                if (sameComputation(candidate, node, canonical)) {
                    twin = candidate;
                    break;
                }
            }
            if (twin == null) {
                seen.computeIfAbsent(key, k -> new ArrayList<>()).add(node);
                continue;
            }
            for (int i = 0; i < node.outputs().size(); i++) {
                canonical.put(node.output(i), twin.output(i));
                graph.replaceAllUses(node.output(i), twin.output(i));
            }
            merged++;
        }
        if (merged > 0) {
            graph.removeDeadNodes(); // what the rewrites orphaned
        }
        return merged;
    }

    private static String key(Node node, Map<Value, Value> canonical) {
        StringBuilder k = new StringBuilder(node.op().toString());
        for (Value v : node.inputs()) {
            Value c = v == null ? null : canonical.getOrDefault(v, v);
            k.append('|').append(c == null ? "-" : System.identityHashCode(c));
        }
        if (node.op() instanceof Constant c) {
            k.append('|').append(c.value().describe());
        }
        return k.toString();
    }

    private static boolean sameComputation(Node a, Node b, Map<Value, Value> canonical) {
        if (!a.op().toString().equals(b.op().toString()) || a.inputs().size() != b.inputs().size()) {
            return false;
        }
        for (int i = 0; i < a.inputs().size(); i++) {
            Value x = a.input(i);
            Value y = b.input(i);
            if (x == null || y == null ? x != y : canonical.getOrDefault(x, x) != canonical.getOrDefault(y, y)) {
                return false;
            }
        }
        if (a.op() instanceof Constant ca && b.op() instanceof Constant cb) {
            return ca.value().contentEquals(cb.value());
        }
        return true;
    }
}
