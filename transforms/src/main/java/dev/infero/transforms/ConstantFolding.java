package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import java.util.List;

/**
 * Replaces every computed value that is known at build time (constants and what follows from them alone, including
 * shape subgraphs such as {@code ShapeOf → Gather → Concat} once the input shape is static) by a Constant.
 * FP16-decompression Converts are kept: they are how compressed weights are stored; so are the dequantizations of
 * integer weight codes ({@link DequantizedWeights}): they are how INT8 weights are stored and what the INT8 kernels read.
 */
public final class ConstantFolding implements Pass {
    @Override
    public String name() {
        return "constant-folding";
    }

    @Override
    public int apply(Graph graph) {
        int folded = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (node.op() instanceof Constant || node.op() instanceof Parameter || node.op() instanceof Result
                    || node.rtInfo().containsKey("decompression") || DequantizedWeights.isDequantization(node)
                    || !node.op().isFoldable()) {
                continue;
            }
            for (Value out : node.outputs()) {
                if (out.isKnown() && !graph.consumers(out).isEmpty()) {
                    Value constant = graph.addConstant(node.name() + (node.outputs().size() > 1 ? ":" + out.index() : ""),
                            out.knownValue()).output(0);
                    graph.replaceAllUses(out, constant);
                    folded++;
                }
            }
        }
        if (folded > 0) {
            graph.removeDeadNodes(); // what the rewrites orphaned
        }
        return folded;
    }
}
