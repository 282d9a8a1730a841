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

class SliceTest {
    private static Tensor slice(Tensor data, long[] start, long[] stop, long[] step, long... axes) {
        return eval(new Slice(), data, Tensor.vector(start), Tensor.vector(stop), Tensor.vector(step),
                axes.length == 0 ? null : Tensor.vector(axes));
    }

    @Test
    void selectsARangeAlongTheListedAxes() {
        Tensor out = slice(iota(3, 4), new long[] {1}, new long[] {3}, new long[] {1}, 1);
        assertArrayEquals(new int[] {3, 2}, out.shape());
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, out.floats());
    }

    @Test
    void withoutAxesTheEntriesApplyToTheLeadingAxes() {
        Tensor out = slice(iota(3, 4), new long[] {1}, new long[] {2}, new long[] {1});
        assertArrayEquals(new int[] {1, 4}, out.shape());
        assertArrayEquals(new float[] {4, 5, 6, 7}, out.floats());
    }

    @Test
    void negativeIndicesCountFromTheEndAndOutOfRangeValuesAreClamped() {
        assertArrayEquals(new float[] {7, 8}, slice(iota(10), new long[] {-3}, new long[] {-1}, new long[] {1}).floats());
        assertArrayEquals(new float[] {8, 9},
                slice(iota(10), new long[] {8}, new long[] {Long.MAX_VALUE}, new long[] {1}).floats());
        assertArrayEquals(new float[] {0, 1},
                slice(iota(10), new long[] {-1000}, new long[] {2}, new long[] {1}).floats());
        assertEquals(0, slice(iota(10), new long[] {20}, new long[] {30}, new long[] {1}).size());
    }

    @Test
    void aNegativeStepWalksBackwardsDownToTheStartWithTheMinimumSentinel() {
        assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
                slice(iota(10), new long[] {-1}, new long[] {Long.MIN_VALUE}, new long[] {-1}).floats());
        assertArrayEquals(new float[] {9, 6, 3},
                slice(iota(10), new long[] {20}, new long[] {0}, new long[] {-3}).floats());
        // Like Python: a start before the beginning selects nothing when stepping backwards.
        assertEquals(0, slice(iota(10), new long[] {-20}, new long[] {Long.MIN_VALUE}, new long[] {-1}).size());
    }

    @Test
    void stepsAndNegativeAxesCombine() {
        Tensor out = slice(iota(2, 3, 4), new long[] {0, 3}, new long[] {2, 0}, new long[] {1, -2}, 0, -1);
        assertArrayEquals(new int[] {2, 3, 2}, out.shape());
        assertArrayEquals(new float[] {3, 1, 7, 5, 11, 9, 15, 13, 19, 17, 23, 21}, out.floats());
    }

    @Test
    void dynamicDimensionsOrUnknownBoundsGiveDynamicSlicedAxes() {
        PartialShape in = PartialShape.of(PartialShape.DYNAMIC, 8);
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, 2), shape(new Slice(), in, Tensor.vector(0, 2),
                Tensor.vector(5, 4), Tensor.vector(1, 1), null));
        assertEquals(PartialShape.of(-1, 8), shape(new Slice(), PartialShape.of(4, 8),
                PartialShape.of(1), Tensor.vector(5), Tensor.vector(1), Tensor.vector(0)));
    }

    @Test
    void emptyStartsAndAxesSliceNothing() {
        Tensor out = eval(new Slice(), iota(2, 3), Tensor.vector(), Tensor.vector(), Tensor.vector(), Tensor.vector());
        assertArrayEquals(iota(2, 3).floats(), out.floats());
    }

    @Test
    void aZeroStepIsAnError() {
        InferoException e = assertThrows(InferoException.class,
                () -> slice(iota(4), new long[] {0}, new long[] {4}, new long[] {0}));
        assertTrue(e.getMessage().contains("step must not be zero"), e.getMessage());
    }
}
