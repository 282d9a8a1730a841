package dev.infero.core.ops.eltwise;

import static dev.infero.core.ops.OpHarness.doubles;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.longs;
import static dev.infero.core.ops.OpHarness.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class UnaryMathTest {
    /** 37 values: several full vectors of any width plus a scalar tail. */
    private static float[] samples(float from, float to) {
        float[] x = new float[37];
        for (int i = 0; i < x.length; i++) {
            x[i] = from + (to - from) * i / (x.length - 1);
        }
        return x;
    }

    private static void assertMatches(Op op, DoubleUnaryOperator reference, float from, float to) {
        float[] x = samples(from, to);
        Tensor y = eval(op, Tensor.of(x, x.length));
        for (int i = 0; i < x.length; i++) {
            double expected = reference.applyAsDouble(x[i]);
            double tolerance = 1e-6 * Math.max(1, Math.abs(expected));
            assertEquals(expected, y.floats()[i], tolerance, op.type() + "(" + x[i] + ")");
        }
    }

    @Test
    void f32VectorAndTailAgreeWithDoubleMath() {
        assertMatches(new Exp(), Math::exp, -5, 5);
        assertMatches(new Log(), Math::log, 0.01f, 50);
        assertMatches(new Sqrt(), Math::sqrt, 0, 100);
        assertMatches(new Tanh(), Math::tanh, -4, 4);
        assertMatches(new Sin(), Math::sin, -7, 7);
        assertMatches(new Cos(), Math::cos, -7, 7);
        assertMatches(new Tan(), Math::tan, -1.5f, 1.5f);
        assertMatches(new Asin(), Math::asin, -1, 1);
        assertMatches(new Acos(), Math::acos, -1, 1);
        assertMatches(new Atan(), Math::atan, -10, 10);
        assertMatches(new Sinh(), Math::sinh, -5, 5);
        assertMatches(new Cosh(), Math::cosh, -5, 5);
        assertMatches(new Abs(), Math::abs, -3, 3);
        assertMatches(new Negative(), v -> -v, -3, 3);
        assertMatches(new Floor(), Math::floor, -3, 3);
        assertMatches(new Ceiling(), Math::ceil, -3, 3);
    }

    @Test
    void inverseHyperbolicFunctionsInvertTheirFunctions() {
        assertMatches(new Asinh(), v -> Math.log(v + Math.sqrt(v * v + 1)), -5, 5);
        assertMatches(new Acosh(), v -> Math.log(v + Math.sqrt(v * v - 1)), 1, 10);
        assertMatches(new Atanh(), v -> 0.5 * Math.log((1 + v) / (1 - v)), -0.99f, 0.99f);
        double[] tiny = doubles(eval(new Asinh(), vector(ElementType.F64, 1e-20, -1e-20)));
        assertArrayEquals(new double[] {1e-20, -1e-20}, tiny, "asinh keeps precision near 0");
        assertTrue(Double.isNaN(eval(new Acosh(), vector(ElementType.F64, 0.5)).getDouble(0)));
    }

    @Test
    void erfIsAccurateToDoublePrecision() {
        double[] x = {0, 1e-10, 0.5, 1, -2, 3, 4.5, 7, Double.POSITIVE_INFINITY};
        double[] expected = {0, 1.1283791670955126e-10, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527,
            0.9999779095030014, 0.9999999998033839, 1, 1};
        double[] y = doubles(eval(new Erf(), vector(ElementType.F64, x)));
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], y[i], 1e-15 * Math.max(1e-10, Math.abs(expected[i])), "erf(" + x[i] + ")");
        }
    }

    @Test
    void roundSendsHalvesToTheEvenNeighbourOrAwayFromZero() {
        double[] x = {-4.5, -1.9, -1.5, 0.5, 0.9, 1.5, 2.3, 2.5, 0.49999999999999994};
        assertArrayEquals(new double[] {-4, -2, -2, 0, 1, 2, 2, 2, 0},
                doubles(eval(new Round(Round.Mode.HALF_TO_EVEN), vector(ElementType.F64, x))));
        assertArrayEquals(new double[] {-5, -2, -2, 1, 1, 2, 2, 3, 0},
                doubles(eval(new Round(Round.Mode.HALF_AWAY_FROM_ZERO), vector(ElementType.F64, x))));
        assertEquals("Round(mode=half_to_even)", new Round(Round.Mode.HALF_TO_EVEN).toString());
    }

    @Test
    void integerUnaryOpsWorkOnTheValuesOfTheirType() {
        assertArrayEquals(new long[] {3, 0, -128}, longs(eval(new Abs(), vector(ElementType.I8, -3, 0, -128))),
                "abs(-128) wraps in i8, like C");
        assertArrayEquals(new long[] {200, 0}, longs(eval(new Abs(), vector(ElementType.U8, 200, 0))));
        assertArrayEquals(new long[] {-5, 7}, longs(eval(new Negative(), vector(ElementType.I32, 5, -7))));
        assertArrayEquals(new long[] {-1, 0, 1}, longs(eval(new Sign(), vector(ElementType.I64, -9, 0, 4))));
        Tensor big = Tensor.allocate(ElementType.U64, 1);
        big.longs()[0] = -1; // 2^64 - 1
        assertArrayEquals(new long[] {1}, longs(eval(new Sign(), big)));
    }

    @Test
    void floatingMathRejectsIntegersAndEveryOpRejectsBooleans() {
        InferoException e = assertThrows(InferoException.class, () -> eval(new Exp(), vector(ElementType.I32, 1)));
        assertTrue(e.getMessage().contains("element type i32 is not supported"), e.getMessage());
        for (Op op : List.<Op>of(new Abs(), new Negative(), new Sign(), new Floor())) {
            assertThrows(InferoException.class, () -> eval(op, vector(ElementType.BOOLEAN, 1)), op.type());
        }
    }

    @Test
    void lowPrecisionFloatsComputeInDoubleAndRoundOnce() {
        Tensor y = eval(new Sqrt(), vector(ElementType.F16, 2, 9));
        assertEquals(ElementType.F16, y.type());
        assertEquals((float) Math.sqrt(2), y.getDouble(0), 1e-3);
        assertEquals(3, y.getDouble(1));
        assertEquals(ElementType.BF16, eval(new Exp(), vector(ElementType.BF16, 0)).type());
    }

    @Test
    void unaryOpsKeepTheInputShapeAndNaN() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 1, 2, 3, 4, 5}, 2, 3);
        Tensor y = eval(new Exp(), x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertTrue(Float.isNaN(y.floats()[0]));
        assertTrue(Float.isNaN(eval(new Floor(), x).floats()[0]));
    }
}
