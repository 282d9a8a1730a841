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

/** ArgExtremum, NonMaxSuppression, NonZero, OneHot, Trilu and CumSum. */
class SelectionOpsTest {
    private static final Tensor TIES = Tensor.of(new float[] {2, 7, 7, 1, 1, 0}, 2, 3);

    @Test
    void argExtremumPicksTheFirstOrLastOfEqualValues() {
        assertArrayEquals(new long[] {1, 0}, longs(run(new ArgExtremum(1, true, false), TIES).output(0)));
        assertArrayEquals(new long[] {2, 1}, longs(run(new ArgExtremum(-1, true, true), TIES).output(0)));
        assertArrayEquals(new long[] {0, 2}, longs(run(new ArgExtremum(1, false, true), TIES).output(0)));
        assertEquals(PartialShape.of(2, 1), run(new ArgExtremum(1, true, true), TIES).output(0).shape());
    }

    @Test
    void nonMaxSuppressionSuppressesOverlapsAndOrdersByBatchClassScore() {
        Tensor boxes = Tensor.of(new float[] {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 10, 1, 11}, 1, 3, 4);
        Tensor scores = Tensor.of(new float[] {0.9f, 0.95f, 0.5f}, 1, 1, 3);
        Node n = run(new NonMaxSuppression(false, false, ElementType.I64), boxes, scores, Tensor.scalar(10L),
                Tensor.scalar(0.5f), Tensor.scalar(0.6f));
        // box 1 wins, box 0 overlaps it (IoU 0.82), box 2 scores below 0.6
        assertArrayEquals(new long[] {0, 0, 1}, longs(n.output(0)));
        assertArrayEquals(new long[] {1}, longs(n.output(2)));
    }

    @Test
    void nonMaxSuppressionOutputsAreDynamicUntilTheDataIsKnown() {
        Graph g = new Graph("g");
        Value boxes = g.addParameter("boxes", ElementType.F32, PartialShape.of(1, 6, 4)).output(0);
        Value scores = g.addParameter("scores", ElementType.F32, PartialShape.of(1, 2, 6)).output(0);
        Node n = g.add(new NonMaxSuppression(true, false, ElementType.I64), "nms", boxes, scores);
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, 3), n.output(0).shape());
    }

    @Test
    void nonZeroListsCoordinatesPerDimension() {
        Node n = run(new NonZero(ElementType.I64), Tensor.of(new float[] {1, 0, 0, 3}, 2, 2));
        assertEquals(PartialShape.of(2, 2), n.output(0).shape());
        assertArrayEquals(new long[] {0, 1, 0, 1}, longs(n.output(0)));
    }

    @Test
    void oneHotNormalizesNegativeIndicesOnlyWhenAsked() {
        Tensor indices = Tensor.of(new long[] {-1, 5}, 2);
        Tensor depth = Tensor.scalar(3L);
        Tensor on = Tensor.scalar(2f);
        Tensor off = Tensor.scalar(0f);
        assertArrayEquals(new float[] {0, 0, 2, 0, 0, 0}, floats(run(new OneHot(-1, true), indices, depth, on, off)
                .output(0)));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, floats(run(new OneHot(-1, false), indices, depth, on, off)
                .output(0)));
    }

    @Test
    void oneHotInsertsTheDepthAxisWhereAsked() {
        Node n = run(new OneHot(0, false), Tensor.of(new long[] {0, 2}, 2), Tensor.scalar(3L), Tensor.scalar(1f),
                Tensor.scalar(0f));
        assertEquals(PartialShape.of(3, 2), n.output(0).shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, floats(n.output(0)));
    }

    @Test
    void triluKeepsTheTriangleRelativeToDiagonalK() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertArrayEquals(new float[] {1, 2, 3, 0, 5, 6, 0, 0, 9}, floats(run(new Trilu(true), x).output(0)));
        assertArrayEquals(new float[] {0, 2, 3, 0, 0, 6, 0, 0, 0},
                floats(run(new Trilu(true), x, Tensor.scalar(1L)).output(0)));
        assertArrayEquals(new float[] {0, 0, 0, 4, 0, 0, 7, 8, 0},
                floats(run(new Trilu(false), x, Tensor.scalar(-1L)).output(0)));
    }

    @Test
    void cumSumExclusiveAndReverse() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor axis = Tensor.scalar(0L);
        assertArrayEquals(new float[] {1, 3, 6}, floats(run(new CumSum(false, false), x, axis).output(0)));
        assertArrayEquals(new float[] {0, 1, 3}, floats(run(new CumSum(true, false), x, axis).output(0)));
        assertArrayEquals(new float[] {6, 5, 3}, floats(run(new CumSum(false, true), x, axis).output(0)));
        assertArrayEquals(new float[] {5, 3, 0}, floats(run(new CumSum(true, true), x, axis).output(0)));
    }

    @Test
    void cumSumAlongAnInnerAxisOfIntegers() {
        Tensor x = Tensor.of(new int[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new long[] {1, 2, 4, 6}, longs(run(new CumSum(false, false), x, Tensor.scalar(0L)).output(0)));
        InferoException e = assertThrows(InferoException.class,
                () -> run(new CumSum(false, false), x, Tensor.scalar(2L)));
        assertTrue(e.getMessage().contains("axis 2 is out of range"), e.getMessage());
    }
}
