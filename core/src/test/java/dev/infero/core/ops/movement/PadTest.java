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

class PadTest {
    private static float[] pad1d(Pad.Mode mode, int begin, int end) {
        return eval(new Pad(mode), Tensor.of(new float[] {1, 2, 3}, 3), Tensor.vector(begin), Tensor.vector(end))
                .floats();
    }

    @Test
    void modesFollowTheOpenVinoExamples() {
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 0}, pad1d(Pad.Mode.CONSTANT, 2, 1));
        assertArrayEquals(new float[] {1, 1, 1, 2, 3, 3}, pad1d(Pad.Mode.EDGE, 2, 1));
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2}, pad1d(Pad.Mode.REFLECT, 2, 1));
        assertArrayEquals(new float[] {2, 1, 1, 2, 3, 3}, pad1d(Pad.Mode.SYMMETRIC, 2, 1));
        assertArrayEquals(new float[] {2, 3, 1, 2, 3, 1}, pad1d(Pad.Mode.WRAP, 2, 1));
    }

    @Test
    void padsWiderThanTheDataKeepReflectingLikeNumpy() {
        assertArrayEquals(new float[] {2, 3, 2, 1, 2, 3, 2, 1, 2}, pad1d(Pad.Mode.REFLECT, 3, 3));
        assertArrayEquals(new float[] {3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, pad1d(Pad.Mode.WRAP, 4, 3));
    }

    @Test
    void negativePadsCrop() {
        assertArrayEquals(new float[] {2, 3, 0}, pad1d(Pad.Mode.CONSTANT, -1, 1));
    }

    @Test
    void constantModeUsesThePadValueOnEveryAxis() {
        Tensor out = eval(new Pad(Pad.Mode.CONSTANT), iota(2, 2), Tensor.vector(1, 0), Tensor.vector(0, 1),
                Tensor.scalar(9f));
        assertArrayEquals(new int[] {3, 3}, out.shape());
        assertArrayEquals(new float[] {9, 9, 9, 0, 1, 9, 2, 3, 9}, out.floats());
    }

    @Test
    void integerDataPadsWithIntegerValues() {
        Tensor out = eval(new Pad(Pad.Mode.CONSTANT), Tensor.of(new long[] {5, 6}, 2), Tensor.vector(1),
                Tensor.vector(0), Tensor.scalar(-1L));
        assertArrayEquals(new long[] {-1, 5, 6}, out.longs());
    }

    @Test
    void edgePaddingOfOuterAxesRepeatsWholeRows() {
        Tensor out = eval(new Pad(Pad.Mode.EDGE), iota(2, 2), Tensor.vector(1, 0), Tensor.vector(1, 1));
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 1, 2, 3, 3, 2, 3, 3}, out.floats());
    }

    @Test
    void unknownPadsGiveADynamicShapeOfTheDataRank() {
        assertEquals(PartialShape.dynamic(2), shape(new Pad(Pad.Mode.CONSTANT), PartialShape.of(2, 2),
                PartialShape.of(2), Tensor.vector(0, 0)));
    }

    @Test
    void rejectsPadsThatDoNotMatchTheRankOrAValueOfAnotherType() {
        InferoException rank = assertThrows(InferoException.class,
                () -> eval(new Pad(Pad.Mode.CONSTANT), iota(2, 2), Tensor.vector(1), Tensor.vector(1)));
        assertTrue(rank.getMessage().contains("need 2 entries"), rank.getMessage());
        InferoException type = assertThrows(InferoException.class, () -> eval(new Pad(Pad.Mode.CONSTANT),
                iota(2), Tensor.vector(1), Tensor.vector(1), Tensor.scalar(1L)));
        assertTrue(type.getMessage().contains("pad_value type i64 differs"), type.getMessage());
    }

    @Test
    void wrapModeIsAnInferoExtension() {
        assertEquals("infero", new Pad(Pad.Mode.WRAP).version());
        assertEquals("opset12", new Pad(Pad.Mode.REFLECT).version());
        assertEquals("Pad(pad_mode=reflect)", new Pad(Pad.Mode.REFLECT).toString());
    }
}
