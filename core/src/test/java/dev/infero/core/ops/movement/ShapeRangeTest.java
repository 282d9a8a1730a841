package dev.infero.core.ops.movement;

import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class ShapeRangeTest {
    @Test
    void shapeOfAStaticParameterIsKnownAtBuildTime() {
        Tensor shape = run(new ShapeOf(ElementType.I64), PartialShape.of(1, 3, 8)).output(0).knownValue();
        assertArrayEquals(new long[] {1, 3, 8}, shape.longs());
        Tensor i32 = run(new ShapeOf(ElementType.I32), PartialShape.of(2)).output(0).knownValue();
        assertArrayEquals(new int[] {2}, i32.ints());
    }

    @Test
    void shapeOfADynamicParameterIsOnlyKnownAtRunTime() {
        Value v = run(new ShapeOf(ElementType.I64), PartialShape.of(-1, 3)).output(0);
        assertNull(v.knownValue());
        assertEquals(PartialShape.of(2), v.shape());
    }

    @Test
    void aShapeSubgraphOverAStaticInputFoldsToAStaticReshape() {
        Graph g = new Graph("flatten");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(2, 3, 4)).output(0);
        Value shape = g.value(new ShapeOf(ElementType.I64), "shape", x);
        Value batch = g.value(new Gather(0), "batch", shape, g.addConstant("i", Tensor.vector(0)).output(0),
                g.addConstant("a", Tensor.scalar(0L)).output(0));
        Value target = g.value(new Concat(0), "target", batch, g.addConstant("rest", Tensor.vector(-1)).output(0));
        Value y = g.value(new Reshape(true), "y", x, target);
        assertArrayEquals(new long[] {2, -1}, target.knownValue().longs());
        assertEquals(PartialShape.of(2, 12), y.shape());
    }

    @Test
    void rangeCountsUpOrDownAndIsEmptyWhenTheStepPointsAway() {
        assertArrayEquals(new int[] {10, 7, 4},
                eval(new Range(ElementType.I32), Tensor.of(new int[] {10}), Tensor.of(new int[] {1}),
                        Tensor.of(new int[] {-3})).ints());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f},
                eval(new Range(ElementType.F32), Tensor.scalar(1f), Tensor.scalar(2.6f), Tensor.scalar(0.5f))
                        .floats());
        assertEquals(0, eval(new Range(ElementType.I64), Tensor.scalar(0L), Tensor.scalar(5L), Tensor.scalar(-1L))
                .size());
    }
}
