package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.ShapeOnlyOp;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.step.TransposeStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Transpose with a Reshape (or Squeeze/Unsqueeze) before and/or after it, as in a channel shuffle
 * (Reshape → Transpose → Reshape): the shape-only ops keep the elements in order, so the chain is one strided copy
 * from the first input to the last output, and the two plain copies of the reshapes disappear.
 */
final class TransposeFusion {
    private TransposeFusion() {
    }

    /** The chain starting at {@code first}, or {@code null} when there is none with more than one node. */
    static Fused match(Node first, Set<Node> taken) {
        List<Node> nodes = new ArrayList<>();
        Node transpose = first;
        if (isShapeOnly(first)) {
            nodes.add(first);
            transpose = first.output(0).soleConsumer();
        }
        if (transpose == null || taken.contains(transpose) || !(transpose.op() instanceof Transpose)
                || transpose.input(0).type() != ElementType.F32 || !transpose.input(0).shape().isStatic()
                || !transpose.input(1).isKnown() || (!nodes.isEmpty() && !isStaticF32(first.input(0)))) {
            return null;
        }
        nodes.add(transpose);
        Node after = transpose.output(0).soleConsumer();
        if (after != null && !taken.contains(after) && isShapeOnly(after)) {
            nodes.add(after);
        }
        if (nodes.size() < 2) {
            return null;
        }
        var kernel = TransposeStep.planned(transpose.input(0).shape().toArray(),
                transpose.input(1).knownValue().toLongArray());
        Node last = nodes.get(nodes.size() - 1);
        return new Fused(nodes, kernel, List.of(first.input(0)), last.output(0));
    }

    private static boolean isShapeOnly(Node n) {
        return n.op() instanceof ShapeOnlyOp && n.outputs().size() == 1 && isStaticF32(n.output(0));
    }

    private static boolean isStaticF32(Value v) {
        return v.type() == ElementType.F32 && v.shape().isStatic();
    }
}
