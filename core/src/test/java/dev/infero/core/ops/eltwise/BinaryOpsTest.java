package dev.infero.core.ops.eltwise;

import static dev.infero.core.ops.OpHarness.doubles;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.longs;
import static dev.infero.core.ops.OpHarness.value;
import static dev.infero.core.ops.OpHarness.tensor;
import static dev.infero.core.ops.OpHarness.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class BinaryOpsTest {
    @Test
    void integerArithmeticWrapsInTheOperandType() {
        assertArrayEquals(new long[] {44}, longs(eval(new Add(), vector(ElementType.U8, 200),
                vector(ElementType.U8, 100))));
        assertArrayEquals(new long[] {255}, longs(eval(new Subtract(), vector(ElementType.U8, 0),
                vector(ElementType.U8, 1))));
        assertArrayEquals(new long[] {-32768}, longs(eval(new Multiply(), vector(ElementType.I16, 16384),
                vector(ElementType.I16, 2))));
        assertArrayEquals(new long[] {4294967295L}, longs(eval(new Maximum(), vector(ElementType.U32, 4294967295L),
                vector(ElementType.U32, 1))));
    }

    @Test
    void integerDivisionTruncatesTowardZeroAndRejectsZeroDivisors() {
        assertArrayEquals(new long[] {-2, 2, -2}, longs(eval(new Divide(), vector(ElementType.I32, -7, 7, 7),
                vector(ElementType.I32, 3, 3, -3))));
        assertArrayEquals(new long[] {85}, longs(eval(new Divide(), vector(ElementType.U8, 255),
                vector(ElementType.U8, 3))));
        InferoException e = assertThrows(InferoException.class,
                () -> eval(new Divide(), vector(ElementType.I64, 1), vector(ElementType.I64, 0)));
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
    }

    @Test
    void modKeepsTheDividendsSignAndFloorModTheDivisors() {
        Tensor a = vector(ElementType.I32, -4, 7, 5, -5);
        Tensor b = vector(ElementType.I32, 3, -3, 2, -2);
        assertArrayEquals(new long[] {-1, 1, 1, -1}, longs(eval(new Mod(), a, b)));
        assertArrayEquals(new long[] {2, -2, 1, -1}, longs(eval(new FloorMod(), a, b)));
        Tensor fa = vector(ElementType.F32, -4.5, 7, 5, -5);
        Tensor fb = vector(ElementType.F32, 3, -3, 2.5, -2);
        assertArrayEquals(new double[] {-1.5, 1, 0, -1}, doubles(eval(new Mod(), fa, fb)));
        assertArrayEquals(new double[] {1.5, -2, 0, -1}, doubles(eval(new FloorMod(), fa, fb)));
    }

    @Test
    void powerOfIntegersIsExactAndOfFloatsVectorized() {
        assertArrayEquals(new long[] {1, 8, 0, 1, -1, 1024}, longs(eval(new Power(),
                vector(ElementType.I64, 5, 2, 2, 1, -1, 2), vector(ElementType.I64, 0, 3, -1, -5, -3, 10))));
        float[] base = new float[19];
        for (int i = 0; i < base.length; i++) {
            base[i] = i * 0.5f;
        }
        Tensor y = eval(new Power(), Tensor.of(base, base.length), Tensor.of(new float[] {1.5f}, 1));
        for (int i = 0; i < base.length; i++) {
            assertEquals(Math.pow(base[i], 1.5), y.floats()[i], 1e-5 * Math.max(1, y.floats()[i]));
        }
    }

    @Test
    void broadcastingIsNumpyStyleInBothDirections() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor row = Tensor.of(new float[] {10, 20}, 2);
        Tensor y = eval(new Add(), col, row);
        assertArrayEquals(new int[] {3, 2}, y.shape());
        assertArrayEquals(new float[] {11, 21, 12, 22, 13, 23}, y.floats());
    }

    @Test
    void mismatchedTypesAndShapesAreErrors() {
        InferoException types = assertThrows(InferoException.class,
                () -> eval(new Add(), vector(ElementType.F32, 1), vector(ElementType.I32, 1)));
        assertTrue(types.getMessage().contains("input element types differ: f32 and i32"), types.getMessage());
        assertThrows(InferoException.class, () -> eval(new Add(), vector(ElementType.F32, 1, 2),
                vector(ElementType.F32, 1, 2, 3)));
        assertThrows(InferoException.class, () -> eval(new Power(), vector(ElementType.BOOLEAN, 1),
                vector(ElementType.BOOLEAN, 1)));
    }

    @Test
    void selectBroadcastsConditionAndBothBranches() {
        Tensor cond = tensor(ElementType.BOOLEAN, new int[] {2, 1}, 1, 0);
        Tensor then = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor otherwise = Tensor.of(new float[] {-1}, 1);
        Tensor y = eval(new Select(), cond, then, otherwise);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {1, 2, 3, -1, -1, -1}, y.floats());
        Tensor ints = eval(new Select(), tensor(ElementType.BOOLEAN, new int[] {3}, 0, 1, 0),
                vector(ElementType.I64, 1, 2, 3), vector(ElementType.I64, 7));
        assertArrayEquals(new long[] {7, 2, 7}, longs(ints));
        assertEquals(PartialShape.of(2, 3), value(new Select(), cond, then, otherwise).shape());
    }

    @Test
    void selectNeedsABooleanConditionAndMatchingBranches() {
        InferoException cond = assertThrows(InferoException.class, () -> eval(new Select(),
                vector(ElementType.F32, 1), vector(ElementType.F32, 1), vector(ElementType.F32, 1)));
        assertTrue(cond.getMessage().contains("condition must be boolean, got f32"), cond.getMessage());
        InferoException branches = assertThrows(InferoException.class, () -> eval(new Select(),
                vector(ElementType.BOOLEAN, 1), vector(ElementType.F32, 1), vector(ElementType.I32, 1)));
        assertTrue(branches.getMessage().contains("then and else element types differ"), branches.getMessage());
    }
}
