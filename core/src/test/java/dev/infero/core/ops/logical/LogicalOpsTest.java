package dev.infero.core.ops.logical;

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
import org.junit.jupiter.api.Test;

class LogicalOpsTest {
    private static long[] compare(Op op, Tensor a, Tensor b) {
        Tensor y = eval(op, a, b);
        assertEquals(ElementType.BOOLEAN, y.type());
        return longs(y);
    }

    @Test
    void comparisonsGiveBooleansAndAreFalseForNaNExceptNotEqual() {
        Tensor a = vector(ElementType.F32, 1, 2, 3, Float.NaN);
        Tensor b = vector(ElementType.F32, 2, 2, 2, Float.NaN);
        assertArrayEquals(new long[] {0, 1, 0, 0}, compare(new Equal(), a, b));
        assertArrayEquals(new long[] {1, 0, 1, 1}, compare(new NotEqual(), a, b));
        assertArrayEquals(new long[] {1, 0, 0, 0}, compare(new Less(), a, b));
        assertArrayEquals(new long[] {1, 1, 0, 0}, compare(new LessEqual(), a, b));
        assertArrayEquals(new long[] {0, 0, 1, 0}, compare(new Greater(), a, b));
        assertArrayEquals(new long[] {0, 1, 1, 0}, compare(new GreaterEqual(), a, b));
    }

    @Test
    void unsignedIntegersCompareByValue() {
        Tensor big = Tensor.allocate(ElementType.U64, 1);
        big.longs()[0] = -1; // 2^64 - 1
        assertArrayEquals(new long[] {1}, compare(new Greater(), big, vector(ElementType.U64, 1)));
        assertArrayEquals(new long[] {1}, compare(new Greater(), vector(ElementType.U8, 200),
                vector(ElementType.U8, 100)));
        assertArrayEquals(new long[] {1}, compare(new Equal(), vector(ElementType.BOOLEAN, 1),
                vector(ElementType.BOOLEAN, 1)));
    }

    @Test
    void logicalOpsTakeOnlyBooleans() {
        Tensor a = vector(ElementType.BOOLEAN, 0, 0, 1, 1);
        Tensor b = vector(ElementType.BOOLEAN, 0, 1, 0, 1);
        assertArrayEquals(new long[] {0, 0, 0, 1}, longs(eval(new LogicalAnd(), a, b)));
        assertArrayEquals(new long[] {0, 1, 1, 1}, longs(eval(new LogicalOr(), a, b)));
        assertArrayEquals(new long[] {0, 1, 1, 0}, longs(eval(new LogicalXor(), a, b)));
        assertArrayEquals(new long[] {1, 1, 0, 0}, longs(eval(new LogicalNot(), a)));
        InferoException e = assertThrows(InferoException.class,
                () -> eval(new LogicalAnd(), vector(ElementType.I32, 1), vector(ElementType.I32, 1)));
        assertTrue(e.getMessage().contains("element type i32 is not supported"), e.getMessage());
    }

    @Test
    void bitwiseOpsWorkInTheOperandWidth() {
        assertArrayEquals(new long[] {0xF0, 0}, longs(eval(new BitwiseNot(), vector(ElementType.U8, 0x0F, 0xFF))));
        assertArrayEquals(new long[] {-1, 0}, longs(eval(new BitwiseNot(), vector(ElementType.I16, 0, -1))));
        assertArrayEquals(new long[] {0, 1}, longs(eval(new BitwiseNot(), vector(ElementType.BOOLEAN, 1, 0))));
        Tensor a = vector(ElementType.I32, 0b1100);
        Tensor b = vector(ElementType.I32, 0b1010);
        assertArrayEquals(new long[] {0b1000}, longs(eval(new BitwiseAnd(), a, b)));
        assertArrayEquals(new long[] {0b1110}, longs(eval(new BitwiseOr(), a, b)));
        assertArrayEquals(new long[] {0b0110}, longs(eval(new BitwiseXor(), a, b)));
        assertThrows(InferoException.class, () -> eval(new BitwiseAnd(), vector(ElementType.F32, 1),
                vector(ElementType.F32, 1)));
    }

    @Test
    void shiftsDropBitsBeyondTheTypeAndClearPastTheWidth() {
        Tensor x = vector(ElementType.U8, 0x81, 0x81, 0x81);
        Tensor by = vector(ElementType.U8, 1, 7, 8);
        assertArrayEquals(new long[] {0x02, 0x80, 0}, longs(eval(new BitwiseLeftShift(), x, by)));
        assertArrayEquals(new long[] {0x40, 0x01, 0}, longs(eval(new BitwiseRightShift(), x, by)));
        Tensor u64 = Tensor.allocate(ElementType.U64, 1);
        u64.longs()[0] = Long.MIN_VALUE;
        assertArrayEquals(new long[] {1}, longs(eval(new BitwiseRightShift(), u64, vector(ElementType.U64, 63))),
                "u64 shifts are logical");
        assertArrayEquals(new long[] {-2, -1}, longs(eval(new BitwiseRightShift(), vector(ElementType.I32, -4, -4),
                vector(ElementType.I32, 1, 40))), "signed right shifts are arithmetic");
    }

    @Test
    void isInfDetectsTheChosenInfinitiesAndIsNaNOnlyNaN() {
        Tensor x = vector(ElementType.F32, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 1);
        assertArrayEquals(new long[] {1, 1, 0, 0}, longs(eval(new IsInf(true, true), x)));
        assertArrayEquals(new long[] {1, 0, 0, 0}, longs(eval(new IsInf(true, false), x)));
        assertArrayEquals(new long[] {0, 1, 0, 0}, longs(eval(new IsInf(false, true), x)));
        Tensor nan = eval(new IsNaN(), x);
        assertEquals(ElementType.BOOLEAN, nan.type());
        assertArrayEquals(new long[] {0, 0, 1, 0}, longs(nan));
        assertEquals("IsInf(detect_negative=true, detect_positive=false)", new IsInf(true, false).toString());
    }
}
