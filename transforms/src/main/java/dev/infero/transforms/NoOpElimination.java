package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.movement.ShapeOnlyOp;
import java.util.List;

/**
 * Removes ops that do nothing for the shapes at hand: a Convert to the type it already has, a Reshape, Squeeze or
 * Unsqueeze whose output shape equals its input shape. (Identity and inference-mode Dropout never enter the graph:
 * the ONNX frontend drops them.)
 */
public final class NoOpElimination implements Pass {
    @Override
    public String name() {
        return "no-op-elimination";
    }

    @Override
    public int apply(Graph graph) {
        int removed = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (node.inputs().isEmpty() || node.input(0) == null) {
                continue;
            }
            Value in = node.input(0);
            Value out = node.output(0);
            boolean sameType = in.type() == out.type();
            boolean noOp = switch (node.op()) {
                case Convert c -> sameType && !node.rtInfo().containsKey("decompression");
                case ShapeOnlyOp s -> sameType && out.shape().isStatic() && out.shape().equals(in.shape());
                default -> false;
            };
            if (noOp) {
                graph.replaceAllUses(out, in);
                removed++;
            }
        }
        if (removed > 0) {
            graph.removeDeadNodes(); // what the rewrites orphaned
        }
        return removed;
    }
}
