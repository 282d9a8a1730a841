package dev.infero.core.ops.movement;

import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.iota;
import static dev.infero.core.ops.OpHarness.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class GatherTest {
    @Test
    void indicesReplaceTheGatheredAxis() {
        Tensor out = eval(new Gather(0), iota(3, 2), Tensor.of(new long[] {2, 0, 1, 1}, 2, 2), Tensor.scalar(0L));
        assertArrayEquals(new int[] {2, 2, 2}, out.shape());
        assertArrayEquals(new float[] {4, 5, 0, 1, 2, 3, 2, 3}, out.floats());
    }

    @Test
    void aScalarIndexRemovesTheAxis() {
        Tensor out = eval(new Gather(0), iota(2, 3), Tensor.scalar(2L), Tensor.scalar(-1L));
        assertArrayEquals(new int[] {2}, out.shape());
        assertArrayEquals(new float[] {2, 5}, out.floats());
    }

    @Test
    void negativeIndicesCountFromTheEndAndOutOfRangeOnesGiveZeros() {
        Tensor out = eval(new Gather(0), Tensor.of(new float[] {10, 20, 30}, 3), Tensor.vector(-1, -3, 3),
                Tensor.scalar(0L));
        assertArrayEquals(new float[] {30, 10, 0}, out.floats());
    }

    @Test
    void batchDimsPairEachBatchWithItsOwnIndices() {
        Tensor out = eval(new Gather(1), iota(2, 3), Tensor.of(new int[] {0, 2, 1, 1}, 2, 2), Tensor.scalar(1L));
        assertArrayEquals(new int[] {2, 2}, out.shape());
        assertArrayEquals(new float[] {0, 2, 4, 4}, out.floats());
    }

    @Test
    void gathersFromShapeVectors() {
        Tensor dims = Tensor.vector(1, 3, 224, 224);
        assertArrayEquals(new long[] {224, 3}, eval(new Gather(0), dims, Tensor.vector(2, 1), Tensor.scalar(0L))
                .longs());
    }

    @Test
    void dynamicDimensionsPassThrough() {
        assertEquals(PartialShape.of(-1, 5, 4), shape(new Gather(0), PartialShape.of(-1, 3, 4),
                Tensor.of(new long[5], 5), Tensor.scalar(1L)));
    }

    @Test
    void rejectsAnAxisOutOfRangeAndFloatIndices() {
        InferoException axis = assertThrows(InferoException.class,
                () -> eval(new Gather(0), iota(2), Tensor.vector(0), Tensor.scalar(1L)));
        assertTrue(axis.getMessage().contains("axis 1 is out of range for rank 1"), axis.getMessage());
        InferoException type = assertThrows(InferoException.class,
                () -> eval(new Gather(0), iota(2), Tensor.of(new float[] {0}, 1), Tensor.scalar(0L)));
        assertTrue(type.getMessage().contains("indices must be integers"), type.getMessage());
    }
}
