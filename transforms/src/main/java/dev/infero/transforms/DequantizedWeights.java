package dev.infero.transforms;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;

/**
 * The one rule of which nodes dequantize integer weight codes: {@code Convert} of an integer constant of at most 8
 * bits to a float type, a {@code Subtract} of a constant zero point from it, a {@code Multiply} of either by a
 * constant scale, and shape-only ops (Reshape, Squeeze, Unsqueeze) after those. Passes that fold constants keep these
 * nodes, as OpenVINO keeps its decompression and dequantization subgraphs: folded, the weights would be f32 and the
 * INT8 kernels, which read the codes, would not apply.
 */
final class DequantizedWeights {
    private DequantizedWeights() {
    }

    /** Whether {@code n} is one step of a dequantization of integer weight codes. */
    static boolean isDequantization(Node n) {
        return switch (n.op()) {
            case Convert c -> c.destination().isFloating() && n.input(0).node().op() instanceof Constant
                    && n.input(0).type().isInteger() && n.input(0).type().bits() <= 8;
            case Subtract s -> n.input(1).isKnown() && isDequantization(n.input(0).node());
            case Multiply m -> (n.input(1).isKnown() && isDequantization(n.input(0).node()))
                    || (n.input(0).isKnown() && isDequantization(n.input(1).node()));
            case Reshape r -> isDequantization(n.input(0).node());
            case Squeeze s -> isDequantization(n.input(0).node());
            case Unsqueeze u -> isDequantization(n.input(0).node());
            default -> false;
        };
    }

    /** Whether {@code v} is computed from integer weight codes by such a dequantization. */
    static boolean isDequantized(Value v) {
        return v != null && isDequantization(v.node());
    }
}
