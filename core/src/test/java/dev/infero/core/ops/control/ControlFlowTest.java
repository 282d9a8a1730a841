package dev.infero.core.ops.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.logical.Less;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loop, TensorIterator and If on hand-built bodies; constant inputs fold, so outputs carry their values. */
class ControlFlowTest {
    /**
     * Loop body: acc' = acc + i, continue while i < 2; outputs the last acc and every acc' concatenated.
     */
    private static Body accumulatingLoopBody() {
        Graph b = new Graph("body");
        Value i = b.addParameter("i", ElementType.I64, PartialShape.scalar()).output(0);
        b.addParameter("cond_in", ElementType.BOOLEAN, PartialShape.scalar());
        Value acc = b.addParameter("acc", ElementType.F32, PartialShape.of(1)).output(0);
        Value next = b.value(new Add(), "next", acc, b.value(new Convert(ElementType.F32), "i_f", i));
        Value more = b.value(new Less(), "more", i, b.addConstant("two", Tensor.scalar(2L)).output(0));
        b.addResult("cond_out", more);
        b.addResult("acc_out", next);
        return new Body("body", "port_map", b, List.of(Body.Input.whole(1, 1), Body.Input.whole(2, 2)),
                List.of(Body.Output.last(0, 1), Body.Output.concat(1, 1, 0, 1)),
                List.of(new Body.BackEdge(0, 1), new Body.BackEdge(1, 2)), 0, 0);
    }

    @Test
    void loopStopsWhenTheBodyConditionFailsOrTheTripCountIsReached() {
        Graph g = new Graph("g");
        Node loop = g.add(new Loop(accumulatingLoopBody()), "loop", g.addConstant("trip", Tensor.scalar(5L)).output(0),
                g.addConstant("cond", Tensor.scalar(true)).output(0), g.addConstant("acc0", Tensor.of(new float[] {10}, 1))
                        .output(0));
        // i = 0, 1, 2 run (the condition computed at i = 2 stops it): 10, 11, 13
        assertArrayEquals(new float[] {13}, loop.output(0).knownValue().toFloatArray());
        assertArrayEquals(new float[] {10, 11, 13}, loop.output(1).knownValue().toFloatArray());
        Node capped = g.add(new Loop(accumulatingLoopBody()), "capped", g.addConstant("trip2", Tensor.scalar(2L))
                .output(0), g.addConstant("cond2", Tensor.scalar(true)).output(0), g.addConstant("acc1", Tensor.of(
                        new float[] {10}, 1)).output(0));
        assertArrayEquals(new float[] {10, 11}, capped.output(1).knownValue().toFloatArray());
        Node none = g.add(new Loop(accumulatingLoopBody()), "none", g.addConstant("trip3", Tensor.scalar(5L))
                .output(0), g.addConstant("cond3", Tensor.scalar(false)).output(0), g.addConstant("acc2", Tensor.of(
                        new float[] {7}, 1)).output(0));
        // no iteration: the carried output is the initial value, the concatenation is empty
        assertArrayEquals(new float[] {7}, none.output(0).knownValue().toFloatArray());
        assertEquals(0, none.output(1).knownValue().size());
    }

    @Test
    void loopOutputsConcatenatedOverAnUnknownCountAreDynamicUntilRun() {
        Graph g = new Graph("g");
        Node loop = g.add(new Loop(accumulatingLoopBody()), "loop", g.addParameter("trip", ElementType.I64,
                PartialShape.scalar()).output(0), g.addConstant("cond", Tensor.scalar(true)).output(0),
                g.addConstant("acc0", Tensor.of(new float[] {10}, 1)).output(0));
        assertEquals(PartialShape.of(1), loop.output(0).shape());
        assertEquals(PartialShape.of(-1), loop.output(1).shape());
        assertFalse(loop.output(1).isKnown());
    }

    @Test
    void tensorIteratorSlicesBackwardsAndConcatenatesInEitherOrder() {
        // acc' = acc·10 + x over x = [1, 2, 3] read from the end
        Graph b = new Graph("body");
        Value acc = b.addParameter("acc", ElementType.F32, PartialShape.of(1)).output(0);
        Value x = b.addParameter("x", ElementType.F32, PartialShape.of(1)).output(0);
        Value next = b.value(new Add(), "next", b.value(new Multiply(), "shift", acc,
                b.addConstant("ten", Tensor.of(new float[] {10}, 1)).output(0)), x);
        b.addResult("acc_out", next);
        b.addResult("forward", next);
        b.addResult("backward", next);
        Body body = new Body("body", "port_map", b, List.of(Body.Input.whole(0, 0),
                new Body.Input(1, 1, 0L, -1, -1, 0, 1)), List.of(Body.Output.last(0, 0),
                Body.Output.concat(1, 1, 0, 1), Body.Output.concat(2, 2, 0, -1)), List.of(new Body.BackEdge(0, 0)),
                -1, -1);
        Graph g = new Graph("g");
        Node ti = g.add(new TensorIterator(body), "ti", g.addConstant("acc0", Tensor.of(new float[] {0}, 1)).output(0),
                g.addConstant("xs", Tensor.of(new float[] {1, 2, 3}, 3)).output(0));
        assertArrayEquals(new float[] {321}, ti.output(0).knownValue().toFloatArray());
        assertArrayEquals(new float[] {3, 32, 321}, ti.output(1).knownValue().toFloatArray());
        assertArrayEquals(new float[] {321, 32, 3}, ti.output(2).knownValue().toFloatArray());
    }

    @Test
    void ifRunsTheBranchTheConditionChooses() {
        Graph g = new Graph("g");
        Value x = g.addConstant("x", Tensor.of(new float[] {3}, 1)).output(0);
        for (boolean c : new boolean[] {true, false}) {
            Node n = g.add(new If(branch("then", true), branch("else", false)), "if",
                    g.addConstant("c", Tensor.scalar(c)).output(0), x);
            assertArrayEquals(new float[] {c ? 4 : 6}, n.output(0).knownValue().toFloatArray());
        }
        Node open = g.add(new If(branch("then", true), branch("else", false)), "open",
                g.addParameter("c", ElementType.BOOLEAN, PartialShape.scalar()).output(0), x);
        assertEquals(PartialShape.of(1), open.output(0).shape());
        assertFalse(open.output(0).isKnown());
    }

    /** x + 1 (then) or x · 2 (else), x from op input 1. */
    private static Body branch(String tag, boolean add) {
        Graph b = new Graph(tag);
        Value x = b.addParameter("x", ElementType.F32, PartialShape.of(1)).output(0);
        Value y = add ? b.value(new Add(), "y", x, b.addConstant("one", Tensor.of(new float[] {1}, 1)).output(0))
                : b.value(new Multiply(), "y", x, b.addConstant("two", Tensor.of(new float[] {2}, 1)).output(0));
        b.addResult("y", y);
        return new Body(tag + "_body", tag + "_port_map", b, List.of(Body.Input.whole(1, 0)),
                List.of(Body.Output.last(0, 0)), List.of(), -1, -1);
    }

    @Test
    void portMapsMustNameBodyPortsThatExist() {
        Graph b = new Graph("body");
        b.addResult("r", b.addParameter("p", ElementType.F32, PartialShape.of(1)).output(0));
        InferoException e = assertThrows(InferoException.class, () -> new Body("body", "port_map", b,
                List.of(Body.Input.whole(0, 3)), List.of(), List.of(), -1, -1));
        assertTrue(e.getMessage().contains("parameter 3"), e.getMessage());
    }
}
