package dev.infero.core.ops.selection;

import static dev.infero.core.ops.OpHarness.floats;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class GatherScatterTest {
    private static final Tensor M = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);

    @Test
    void gatherElementsReadsAlongTheAxisWithNegativeIndices() {
        Node n = run(new GatherElements(1), M, Tensor.of(new long[] {0, 0, -1, 0}, 2, 2));
        assertArrayEquals(new float[] {1, 1, 4, 3}, floats(n.output(0)));
    }

    @Test
    void gatherElementsRejectsOutOfRangeIndices() {
        Tensor indices = Tensor.of(new long[] {2, 0, 0, 0}, 2, 2);
        InferoException e = assertThrows(InferoException.class, () -> run(new GatherElements(1), M, indices));
        assertTrue(e.getMessage().contains("index 2 is out of range"), e.getMessage());
    }

    @Test
    void gatherNdWithBatchDimsKeepsTheBatchDimension() {
        Tensor data = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        Node n = run(new GatherND(1), data, Tensor.of(new long[] {1, 0}, 2, 1));
        assertEquals(PartialShape.of(2, 2), n.output(0).shape());
        assertArrayEquals(new float[] {2, 3, 4, 5}, floats(n.output(0)));
    }

    @Test
    void gatherNdWithFullTuplesReadsElements() {
        Node n = run(new GatherND(0), M, Tensor.of(new long[] {0, 0, 1, 1}, 2, 2));
        assertArrayEquals(new float[] {1, 4}, floats(n.output(0)));
    }

    @Test
    void scatterElementsOverwritesInOrderSoTheLastDuplicateWins() {
        Node n = run(new ScatterElementsUpdate("none", true), M, Tensor.of(new long[] {1, 1}, 1, 2),
                Tensor.of(new float[] {10, 20}, 1, 2), Tensor.scalar(1L));
        assertArrayEquals(new float[] {1, 20, 3, 4}, floats(n.output(0)));
    }

    @Test
    void scatterElementsReductionsCombineWithTheData() {
        Tensor idx = Tensor.of(new long[] {0, 0}, 2, 1);
        Tensor upd = Tensor.of(new float[] {10, 20}, 2, 1);
        Tensor axis = Tensor.scalar(0L);
        assertArrayEquals(new float[] {31, 2, 3, 4}, floats(run(new ScatterElementsUpdate("sum", true), M, idx, upd,
                axis).output(0)));
        assertArrayEquals(new float[] {30, 2, 3, 4}, floats(run(new ScatterElementsUpdate("sum", false), M, idx, upd,
                axis).output(0)));
        assertArrayEquals(new float[] {200, 2, 3, 4}, floats(run(new ScatterElementsUpdate("prod", true), M, idx, upd,
                axis).output(0)));
        assertArrayEquals(new float[] {31 / 3f, 2, 3, 4}, floats(run(new ScatterElementsUpdate("mean", true), M, idx,
                upd, axis).output(0)));
    }

    @Test
    void scatterNdUpdatesSlicesWithReduction() {
        Tensor idx = Tensor.of(new long[] {1, -1}, 2, 1);
        Tensor upd = Tensor.of(new float[] {5, 5, 1, 1}, 2, 2);
        assertArrayEquals(new float[] {1, 2, 1, 1}, floats(run(new ScatterNDUpdate("none"), M, idx, upd).output(0)));
        assertArrayEquals(new float[] {1, 2, 9, 10}, floats(run(new ScatterNDUpdate("sum"), M, idx, upd).output(0)));
        assertArrayEquals(new float[] {1, 2, 1, 1}, floats(run(new ScatterNDUpdate("min"), M, idx, upd).output(0)));
    }

    @Test
    void scatterNdChecksTheUpdatesShape() {
        InferoException e = assertThrows(InferoException.class, () -> run(new ScatterNDUpdate("none"), M,
                Tensor.of(new long[] {1}, 1, 1), Tensor.of(new float[] {1}, 1)));
        assertTrue(e.getMessage().contains("updates must have shape [1,2]"), e.getMessage());
    }
}
