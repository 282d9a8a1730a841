package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.movement.Transpose;
import java.util.List;

/** Two Transposes in a row whose permutations cancel are removed; the second one's readers read the original. */
public final class RemoveTransposePairs implements Pass {
    @Override
    public String name() {
        return "remove-transpose-pairs";
    }

    @Override
    public int apply(Graph graph) {
        int removed = 0;
        for (Node second : List.copyOf(graph.nodes())) {
            if (!(second.op() instanceof Transpose) || !(second.input(0).node().op() instanceof Transpose)) {
                continue;
            }
            Node first = second.input(0).node();
            long[] p1 = permutation(first);
            long[] p2 = permutation(second);
            if (p1 == null || p2 == null || p1.length != p2.length) {
                continue;
            }
            boolean identity = true;
            for (int i = 0; i < p2.length; i++) {
                identity &= p1[(int) p2[i]] == i;
            }
            if (identity) {
                graph.replaceAllUses(second.output(0), first.input(0));
                removed++;
            }
        }
        if (removed > 0) {
            graph.removeDeadNodes();
        }
        return removed;
    }

    private static long[] permutation(Node transpose) {
        if (transpose.inputs().size() < 2 || transpose.input(1) == null || !transpose.input(1).isKnown()) {
            return null;
        }
        return transpose.input(1).knownValue().toLongArray();
    }
}
