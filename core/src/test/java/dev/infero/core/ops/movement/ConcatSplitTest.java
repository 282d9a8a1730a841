package dev.infero.core.ops.movement;

import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.iota;
import static dev.infero.core.ops.OpHarness.run;
import static dev.infero.core.ops.OpHarness.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class ConcatSplitTest {
    @Test
    void concatJoinsAlongANegativeAxis() {
        Tensor out = eval(new Concat(-1), iota(2, 1), Tensor.of(new float[] {7, 8, 9, 10}, 2, 2));
        assertArrayEquals(new int[] {2, 3}, out.shape());
        assertArrayEquals(new float[] {0, 7, 8, 1, 9, 10}, out.floats());
    }

    @Test
    void concatOfShapeVectorsBuildsATargetShape() {
        assertArrayEquals(new long[] {-1, 3, 4}, eval(new Concat(0), Tensor.vector(-1), Tensor.vector(3, 4)).longs());
    }

    @Test
    void concatShapesKeepKnownDimensionsAndSumTheAxis() {
        assertEquals(PartialShape.of(3, -1), shape(new Concat(1), PartialShape.of(-1, 2), PartialShape.of(3, -1)));
        assertEquals(PartialShape.of(3, 5), shape(new Concat(1), PartialShape.of(-1, 2), PartialShape.of(3, 3)));
    }

    @Test
    void concatRejectsMismatchedDimensions() {
        InferoException e = assertThrows(InferoException.class, () -> eval(new Concat(0), iota(1, 2), iota(1, 3)));
        assertTrue(e.getMessage().contains("dimension 1 differs between inputs: 2 and 3"), e.getMessage());
    }

    @Test
    void splitCutsIntoEqualParts() {
        Node n = run(new Split(2), iota(2, 4), Tensor.scalar(1L));
        assertEquals(2, n.outputs().size());
        assertArrayEquals(new float[] {0, 1, 4, 5}, n.output(0).knownValue().floats());
        assertArrayEquals(new float[] {2, 3, 6, 7}, n.output(1).knownValue().floats());
    }

    @Test
    void splitRejectsAnUnevenDimension() {
        InferoException e = assertThrows(InferoException.class, () -> run(new Split(3), iota(4), Tensor.scalar(0L)));
        assertTrue(e.getMessage().contains("dimension 4 cannot be split into 3 equal parts"), e.getMessage());
    }

    @Test
    void variadicSplitResolvesMinusOneAndAllowsEmptyParts() {
        Node n = run(new VariadicSplit(), iota(5), Tensor.scalar(0L), Tensor.vector(2, 0, -1));
        assertArrayEquals(new float[] {0, 1}, n.output(0).knownValue().floats());
        assertEquals(0, n.output(1).knownValue().size());
        assertArrayEquals(new float[] {2, 3, 4}, n.output(2).knownValue().floats());
    }

    @Test
    void variadicSplitOnADynamicAxisKeepsKnownLengths() {
        Node n = run(new VariadicSplit(), PartialShape.of(2, -1), Tensor.scalar(-1L), Tensor.vector(3, -1));
        assertEquals(PartialShape.of(2, 3), n.output(0).shape());
        assertEquals(PartialShape.of(2, -1), n.output(1).shape());
    }

    @Test
    void variadicSplitRejectsLengthsThatDoNotAddUp() {
        InferoException e = assertThrows(InferoException.class,
                () -> run(new VariadicSplit(), iota(5), Tensor.scalar(0L), Tensor.vector(2, 2)));
        assertTrue(e.getMessage().contains("do not add up to the dimension 5"), e.getMessage());
    }
}
