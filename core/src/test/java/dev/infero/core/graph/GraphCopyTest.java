package dev.infero.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A copy of a graph is the same model, and rewriting it leaves the original as it was. */
class GraphCopyTest {
    @Test
    void aCopyHasTheSameNodesNamesAndPortsAndRewritingItLeavesTheOriginal() {
        Graph g = new Graph("m");
        g.metadata().put("producer", "test");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 4)).output(0);
        Value sum = g.value(new Add(), "add", x, g.addConstant("b", Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)).output(0));
        sum.names().add("sum_tensor");
        sum.node().rtInfo().put("origin", "onnx");
        g.addResult("y", g.value(new Relu(), "relu", sum));

        Graph c = g.copy();
        assertEquals(g.toString(), c.toString());
        assertEquals(List.of("x"), c.parameters().stream().map(Node::name).toList());
        assertEquals(List.of("y"), c.results().stream().map(Node::name).toList());
        assertEquals(g.metadata(), c.metadata());
        Node add = c.nodes().stream().filter(n -> n.name().equals("add")).findFirst().orElseThrow();
        assertNotSame(sum.node(), add);
        assertEquals(java.util.Set.of("sum_tensor"), add.output(0).names());
        assertEquals("onnx", add.rtInfo().get("origin"));

        c.replaceAllUses(add.output(0), c.parameter("x").output(0));
        c.removeDeadNodes();
        assertEquals(5, g.nodes().size(), "the original keeps its Add: " + g);
        assertEquals(3, c.nodes().size(), c.toString());
    }
}
