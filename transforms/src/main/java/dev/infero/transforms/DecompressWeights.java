package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.types.ElementType;
import java.util.List;

/**
 * The inverse of {@link CompressToFp16}: every decompression Convert of an f16 (or bf16) constant becomes the f32
 * constant it computes, so a model shipped with FP16 weights (an Open Model Zoo FP16 IR) is written as FP32. The values
 * are the same; only the storage widens.
 */
public final class DecompressWeights implements Pass {
    @Override
    public String name() {
        return "decompress-weights";
    }

    @Override
    public int apply(Graph graph) {
        int widened = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (!(node.op() instanceof Convert convert) || convert.destination() != ElementType.F32
                    || !node.rtInfo().containsKey("decompression")
                    || !(node.input(0).node().op() instanceof Constant)
                    || !node.output(0).isKnown()) {
                continue;
            }
            Node widenedConstant = graph.addConstant(node.name(), node.output(0).knownValue());
            widenedConstant.output(0).names().addAll(node.output(0).names());
            graph.replaceAllUses(node.output(0), widenedConstant.output(0));
            widened++;
        }
        if (widened > 0) {
            graph.removeDeadNodes();
        }
        return widened;
    }
}
