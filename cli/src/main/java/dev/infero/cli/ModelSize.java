package dev.infero.cli;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;

/**
 * Size of a model: compute nodes (not counting inputs, constants and outputs), parameters (elements of floating
 * constants) and FLOPs of one inference.
 */
public record ModelSize(int computeNodes, long parameters, long flops) {
    public static ModelSize of(Graph g) {
        int nodes = 0;
        long params = 0;
        long flops = 0;
        for (Node n : g.nodes()) {
            if (n.op() instanceof Constant c) {
                params += c.value().type().isFloating() ? c.value().size() : 0;
            } else if (!(n.op() instanceof Parameter) && !(n.op() instanceof Result)) {
                nodes++;
            }
            flops += n.op().flops(n);
        }
        return new ModelSize(nodes, params, flops);
    }

    /** The parameters' bytes stored as FP32: what an FP32 IR's {@code .bin} holds of them. */
    public long fp32Bytes() {
        return parameters * Float.BYTES;
    }

    /**
     * How {@code after} bytes compare with {@code before}: "3.80x smaller", "1.25x larger" or "the same size", so that
     * a ratio under 1 is never printed as "0.01x smaller".
     */
    public static String sizeChange(long before, long after) {
        if (before <= 0 || after <= 0) {
            throw new IllegalArgumentException("sizes must be positive, got " + before + " and " + after);
        }
        if (before == after) {
            return "the same size";
        }
        return before > after
                ? String.format(java.util.Locale.ROOT, "%.2fx smaller", (double) before / after)
                : String.format(java.util.Locale.ROOT, "%.2fx larger", (double) after / before);
    }
}
