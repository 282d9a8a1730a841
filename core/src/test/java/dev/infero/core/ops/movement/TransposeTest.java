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

class TransposeTest {
    @Test
    void anEmptyOrderReversesTheDimensions() {
        Tensor out = eval(new Transpose(), iota(2, 3), Tensor.vector());
        assertArrayEquals(new int[] {3, 2}, out.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, out.floats());
    }

    @Test
    void permutesThreeDimensions() {
        Tensor out = eval(new Transpose(), iota(2, 3, 2), Tensor.vector(1, 2, 0));
        assertArrayEquals(new int[] {3, 2, 2}, out.shape());
        assertArrayEquals(new float[] {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}, out.floats());
    }

    @Test
    void keepsContiguousBlocksTogetherForEveryElementType() {
        Tensor data = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        assertArrayEquals(new long[] {0, 1, 4, 5, 2, 3, 6, 7}, eval(new Transpose(), data, Tensor.vector(1, 0, 2))
                .longs());
    }

    @Test
    void dynamicDimensionsMoveWithTheirAxes() {
        assertEquals(PartialShape.of(4, -1), shape(new Transpose(), PartialShape.of(-1, 4), Tensor.vector(1, 0)));
    }

    @Test
    void rejectsAnOrderThatIsNotAPermutation() {
        InferoException e = assertThrows(InferoException.class,
                () -> eval(new Transpose(), iota(2, 2), Tensor.vector(0, 0)));
        assertTrue(e.getMessage().contains("is not a permutation of 0..1"), e.getMessage());
    }
}
