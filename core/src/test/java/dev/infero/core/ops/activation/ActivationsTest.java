package dev.infero.core.ops.activation;

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
import dev.infero.core.ops.eltwise.SpecialFunctions;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    /** Compares the f32 kernel (vector body and tail) with the double kernel on 37 points of [-6, 6]. */
    private static void assertF32MatchesF64(Op op, DoubleUnaryOperator reference) {
        float[] x = new float[37];
        double[] xd = new double[37];
        for (int i = 0; i < x.length; i++) {
            x[i] = -6 + 12f * i / 36;
            xd[i] = x[i];
        }
        Tensor f = eval(op, Tensor.of(x, x.length));
        double[] d = doubles(eval(op, Tensor.of(xd, xd.length)));
        for (int i = 0; i < x.length; i++) {
            double expected = reference.applyAsDouble(x[i]);
            assertEquals(expected, d[i], 1e-12 * Math.max(1, Math.abs(expected)), op + " f64 at " + x[i]);
            assertEquals(expected, f.floats()[i], 2e-6 * Math.max(1, Math.abs(expected)), op + " f32 at " + x[i]);
        }
    }

    @Test
    void activationsAgreeWithTheirFormulas() {
        assertF32MatchesF64(new Relu(), v -> Math.max(v, 0));
        assertF32MatchesF64(new Sigmoid(), v -> 1 / (1 + Math.exp(-v)));
        assertF32MatchesF64(new Elu(0.5), v -> v > 0 ? v : 0.5 * (Math.exp(v) - 1));
        assertF32MatchesF64(new HSwish(), v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)));
        assertF32MatchesF64(new SoftPlus(), v -> Math.log(1 + Math.exp(v)));
        assertF32MatchesF64(new SoftSign(), v -> v / (1 + Math.abs(v)));
        assertF32MatchesF64(new Mish(), v -> v * Math.tanh(Math.log(1 + Math.exp(v))));
        assertF32MatchesF64(new Gelu(Gelu.Approximation.ERF),
                v -> 0.5 * v * (1 + SpecialFunctions.erf(v / Math.sqrt(2))));
        assertF32MatchesF64(new Gelu(Gelu.Approximation.TANH),
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        assertF32MatchesF64(new Clamp(-1, 2.5), v -> Math.min(Math.max(v, -1), 2.5));
    }

    @Test
    void softPlusNeitherOverflowsNorUnderflows() {
        double[] y = doubles(eval(new SoftPlus(), vector(ElementType.F32, 100, -30, 1000)));
        assertEquals(100, y[0]);
        assertEquals(Math.exp(-30), y[1], 1e-6 * Math.exp(-30));
        assertEquals(1000, y[2]);
    }

    @Test
    void reluKeepsNaNAndWorksOnSignedAndUnsignedIntegers() {
        assertTrue(Double.isNaN(eval(new Relu(), vector(ElementType.F32, Float.NaN)).getDouble(0)));
        assertArrayEquals(new long[] {0, 0, 5}, longs(eval(new Relu(), vector(ElementType.I8, -128, 0, 5))));
        assertArrayEquals(new long[] {200}, longs(eval(new Relu(), vector(ElementType.U8, 200))));
    }

    @Test
    void clampWithMinAboveMaxGivesMaxAndKeepsNaN() {
        double[] y = doubles(eval(new Clamp(2, 1), vector(ElementType.F32, -5, 1.5, 5, Float.NaN)));
        assertArrayEquals(new double[] {1, 1, 1}, java.util.Arrays.copyOf(y, 3));
        assertTrue(Double.isNaN(y[3]));
    }

    @Test
    void clampRoundsBoundsInwardForIntegersAndInfiniteBoundsDoNotBind() {
        assertArrayEquals(new long[] {-1, 0, 2}, longs(eval(new Clamp(-1.5, 2.5), vector(ElementType.I32, -9, 0, 9))));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, longs(eval(new Clamp(Double.NEGATIVE_INFINITY, 7),
                Tensor.of(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, 2))));
        assertArrayEquals(new long[] {0, 127}, longs(eval(new Clamp(-0.5, Double.POSITIVE_INFINITY),
                vector(ElementType.I8, -3, 127))));
        assertEquals("Clamp(min=-1.5, max=Infinity)", new Clamp(-1.5, Double.POSITIVE_INFINITY).toString());
    }

    @Test
    void preluSlopeBroadcastsToTheDataOnly() {
        Tensor x = Tensor.of(new float[] {-1, 2, -3, 4, -5, 6}, 2, 3);
        Tensor y = eval(new PRelu(), x, Tensor.of(new float[] {0.1f, 0.2f, 0.3f}, 3));
        assertArrayEquals(new float[] {-0.1f, 2, -0.90000004f, 4, -1, 6}, y.floats());
        assertArrayEquals(new float[] {-0.5f, 2, -1.5f, 4, -2.5f, 6},
                eval(new PRelu(), x, Tensor.of(new float[] {0.5f}, 1)).floats(), "scalar slope = LeakyRelu");
        InferoException e = assertThrows(InferoException.class,
                () -> eval(new PRelu(), Tensor.of(new float[] {1, 2, 3}, 3), Tensor.of(new float[6], 2, 3)));
        assertTrue(e.getMessage().contains("slope [2,3] has more dimensions than data [3]"), e.getMessage());
        assertThrows(InferoException.class,
                () -> eval(new PRelu(), Tensor.of(new float[3], 3, 1), Tensor.of(new float[2], 2)));
        assertEquals("PReLU", new PRelu().toString());
    }

    @Test
    void preluOnSignedIntegers() {
        assertArrayEquals(new long[] {-6, 4}, longs(eval(new PRelu(), vector(ElementType.I32, -3, 4),
                vector(ElementType.I32, 2))));
    }

    @Test
    void activationsRejectIntegersWhereOnnxDoes() {
        assertThrows(InferoException.class, () -> eval(new Sigmoid(), vector(ElementType.I32, 1)));
        assertThrows(InferoException.class, () -> eval(new Gelu(Gelu.Approximation.ERF), vector(ElementType.I64, 1)));
    }
}
