package dev.infero.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The graph keeps each value's consumers as nodes are added, rewired and removed; they match a scan of the graph. */
class ConsumersTest {
    @Test
    void consumersFollowAddRewireAndRemove() {
        Graph g = new Graph("m");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 4)).output(0);
        Value relu = g.value(new Relu(), "relu", x);
        Value twice = g.value(new Add(), "twice", relu, relu);
        Node y = g.addResult("y", twice);
        assertEquals(List.of(relu.node()), x.consumers());
        assertEquals(List.of(twice.node(), twice.node()), relu.consumers(), "once per input port");
        assertNull(relu.soleConsumer(), "two ports read it");
        assertNull(twice.soleConsumer(), "a model output");
        assertSame(relu.node(), x.soleConsumer());

        Value sigmoid = g.value(new Sigmoid(), "sigmoid", x);
        g.setInput(twice.node(), 1, sigmoid);
        assertEquals(List.of(twice.node()), relu.consumers());
        assertEquals(List.of(twice.node()), sigmoid.consumers());
        assertMatchesScan(g);

        g.replaceAllUses(twice, relu);
        assertEquals(List.of(), twice.consumers());
        assertEquals(List.of(twice.node(), y), relu.consumers(), "the Result reads relu now");
        g.removeDeadNodes();
        assertEquals(List.of(y), relu.consumers(), "the removed Add no longer reads relu");
        assertEquals(List.of(), sigmoid.consumers());
        assertEquals(List.of(relu.node()), x.consumers(), "the removed Sigmoid no longer reads x");
        assertMatchesScan(g);
    }

    /** Every value's consumers, as the graph keeps them, equal a scan of the graph's nodes (as a multiset). */
    private static void assertMatchesScan(Graph g) {
        for (Node producer : g.nodes()) {
            for (Value v : producer.outputs()) {
                List<Node> scanned = g.nodes().stream()
                        .flatMap(n -> n.inputs().stream().filter(in -> in == v).map(in -> n)).toList();
                assertEquals(scanned.size(), v.consumers().size(), v.toString());
                assertEquals(true, v.consumers().containsAll(scanned), v.toString());
            }
        }
    }
}
