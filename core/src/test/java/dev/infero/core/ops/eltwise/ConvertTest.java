package dev.infero.core.ops.eltwise;

import static dev.infero.core.ops.OpHarness.doubles;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.longs;
import static dev.infero.core.ops.OpHarness.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

class ConvertTest {
    @Test
    void floatToIntegerTruncatesTowardZeroAndNaNBecomesZero() {
        Tensor x = vector(ElementType.F32, 2.9, -2.9, 0.5, Float.NaN);
        assertArrayEquals(new long[] {2, -2, 0, 0}, longs(eval(new Convert(ElementType.I32), x)));
    }

    @Test
    void anythingNonZeroIncludingNaNIsTrue() {
        Tensor x = vector(ElementType.F32, 0, -0.0, 0.1, Float.NaN);
        Tensor y = eval(new Convert(ElementType.BOOLEAN), x);
        assertArrayEquals(new byte[] {0, 0, 1, 1}, y.bytes());
        assertArrayEquals(new double[] {0, 1}, doubles(eval(new Convert(ElementType.F32),
                vector(ElementType.BOOLEAN, 0, 1))));
    }

    @Test
    void integersKeepTheirLowBits() {
        assertArrayEquals(new long[] {44, 255}, longs(eval(new Convert(ElementType.U8),
                vector(ElementType.I32, 300, -1))));
    }

    @Test
    void floatsAboveTwoToThe63FitInU64() {
        Tensor y = eval(new Convert(ElementType.U64), vector(ElementType.F64, 0x1p63 + 0x1p20, 3.7));
        assertEquals(Long.MIN_VALUE + (1L << 20), y.longs()[0]);
        assertEquals(3, y.longs()[1]);
    }

    @Test
    void halfPrecisionConversionsRoundToNearestEven() {
        Tensor half = eval(new Convert(ElementType.F16), vector(ElementType.F32, 1 + 0x1p-11, 65504, 1e6));
        assertArrayEquals(new double[] {1, 65504, Double.POSITIVE_INFINITY}, doubles(half));
        Tensor bf = eval(new Convert(ElementType.BF16), vector(ElementType.F32, 1 + 0x1p-8 + 0x1p-9));
        assertEquals(1 + 0x1p-7, bf.getDouble(0));
    }

    @Test
    void doubleToHalfRoundsOnceNotTwice() {
        // Just above the midpoint between 1 and the next half: rounding to float first would make it a tie (-> 1).
        Tensor y = eval(new Convert(ElementType.F16), vector(ElementType.F64, 1 + 0x1p-11 + 0x1p-40, -1e300, 0.1));
        assertArrayEquals(new double[] {1 + 0x1p-10, Double.NEGATIVE_INFINITY, Float.float16ToFloat(
                Float.floatToFloat16(0.1f))}, doubles(y));
    }
}
