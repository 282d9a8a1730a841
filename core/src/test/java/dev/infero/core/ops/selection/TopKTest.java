package dev.infero.core.ops.selection;

import static dev.infero.core.ops.OpHarness.floats;
import static dev.infero.core.ops.OpHarness.longs;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static TopK max(long axis) {
        return new TopK(axis, true, "value", ElementType.I64, true);
    }

    @Test
    void largestValuesComeFirstAndEqualValuesKeepTheLowerIndexFirst() {
        Node n = run(max(-1), Tensor.of(new float[] {1, 3, 3, 2, 3}, 5), Tensor.scalar(3L));
        assertArrayEquals(new float[] {3, 3, 3}, floats(n.output(0)));
        assertArrayEquals(new long[] {1, 2, 4}, longs(n.output(1)));
    }

    @Test
    void smallestAlongAnInnerAxis() {
        Node n = run(new TopK(0, false, "value", ElementType.I64, true),
                Tensor.of(new float[] {5, 1, 2, 7, 3, 0}, 3, 2), Tensor.scalar(2L));
        assertArrayEquals(new int[] {2, 2}, n.output(0).knownValue().shape());
        assertArrayEquals(new float[] {2, 0, 3, 1}, floats(n.output(0)));
        assertArrayEquals(new long[] {1, 2, 2, 0}, longs(n.output(1)));
    }

    @Test
    void sortByIndexReordersTheSelection() {
        Node n = run(new TopK(0, true, "index", ElementType.I32, true), Tensor.of(new float[] {1, 9, 5, 7}, 4),
                Tensor.scalar(2L));
        assertArrayEquals(new float[] {9, 7}, floats(n.output(0)));
        assertEquals(ElementType.I32, n.output(1).type());
        assertArrayEquals(new long[] {1, 3}, longs(n.output(1)));
    }

    @Test
    void integerTypesCompareExactly() {
        long big = (1L << 60) + 1;
        Node n = run(max(0), Tensor.of(new long[] {1L << 60, big, -1}, 3), Tensor.scalar(1L));
        assertArrayEquals(new long[] {big}, longs(n.output(0)));
    }

    @Test
    void unknownKGivesADynamicDimension() {
        Graph g = new Graph("g");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(2, 10)).output(0);
        Value k = g.addParameter("k", ElementType.I64, PartialShape.scalar()).output(0);
        Node topK = g.add(max(1), "topk", x, k);
        assertEquals(PartialShape.of(2, PartialShape.DYNAMIC), topK.output(0).shape());
    }

    @Test
    void kMustBeAScalar() {
        InferoException e = assertThrows(InferoException.class,
                () -> run(max(0), Tensor.of(new float[] {1, 2}, 2), Tensor.vector(1)));
        assertTrue(e.getMessage().contains("k must be a scalar"), e.getMessage());
    }
}
