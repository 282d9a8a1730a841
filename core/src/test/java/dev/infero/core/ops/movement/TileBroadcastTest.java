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

class TileBroadcastTest {
    @Test
    void tileRepeatsEveryAxis() {
        Tensor out = eval(new Tile(), iota(2, 2), Tensor.vector(2, 3));
        assertArrayEquals(new int[] {4, 6}, out.shape());
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3},
                out.floats());
    }

    @Test
    void tileWithMoreRepeatsThanAxesAddsLeadingAxes() {
        Tensor out = eval(new Tile(), Tensor.of(new float[] {1, 2}, 2), Tensor.vector(2, 1));
        assertArrayEquals(new int[] {2, 2}, out.shape());
        assertArrayEquals(new float[] {1, 2, 1, 2}, out.floats());
    }

    @Test
    void numpyBroadcastProducesExactlyTheTargetShape() {
        Tensor out = eval(new Broadcast(Broadcast.Mode.NUMPY), Tensor.of(new float[] {1, 2}, 2, 1),
                Tensor.vector(2, 2, 3));
        assertArrayEquals(new int[] {2, 2, 3}, out.shape());
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}, out.floats());
    }

    @Test
    void numpyBroadcastOfAScalarFillsTheShape() {
        Tensor out = eval(new Broadcast(Broadcast.Mode.NUMPY), Tensor.scalar(7L), Tensor.vector(2, 2));
        assertArrayEquals(new long[] {7, 7, 7, 7}, out.longs());
    }

    @Test
    void bidirectionalBroadcastKeepsDataDimensionsWhereTheTargetHasOne() {
        Tensor out = eval(new Broadcast(Broadcast.Mode.BIDIRECTIONAL), iota(3, 1), Tensor.vector(2, 1, 2));
        assertArrayEquals(new int[] {2, 3, 2}, out.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}, out.floats());
    }

    @Test
    void numpyBroadcastRejectsATargetTheDataDoesNotFit() {
        InferoException e = assertThrows(InferoException.class,
                () -> eval(new Broadcast(Broadcast.Mode.NUMPY), iota(3), Tensor.vector(1)));
        assertTrue(e.getMessage().contains("cannot broadcast to [1]"), e.getMessage());
    }

    @Test
    void unknownTargetValuesGiveDynamicDimensionsOfTheTargetLength() {
        assertEquals(PartialShape.dynamic(3), shape(new Broadcast(Broadcast.Mode.BIDIRECTIONAL),
                PartialShape.of(2, 2), PartialShape.of(3)));
    }
}
