package dev.infero.core.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The 8- and 4-bit float formats against values from the OCP FP8 specification and ONNX's Cast documentation. */
class MiniFloatTest {
    @Test
    void limitsAndSpecialCodes() {
        assertEquals(448f, MiniFloat.E4M3FN.max());
        assertEquals(240f, MiniFloat.E4M3FNUZ.max());
        assertEquals(57344f, MiniFloat.E5M2.max());
        assertEquals(57344f, MiniFloat.E5M2FNUZ.max());
        assertEquals(6f, MiniFloat.E2M1.max());
        assertTrue(Float.isNaN(MiniFloat.E4M3FN.decode(0x7F)));
        assertTrue(Float.isNaN(MiniFloat.E4M3FNUZ.decode(0x80)));
        assertEquals(Float.POSITIVE_INFINITY, MiniFloat.E5M2.decode(0x7C));
        assertEquals(0x1p-9f, MiniFloat.E4M3FN.decode(0x01)); // smallest subnormal: 2^-6 * 1/8
        assertEquals(0x1p-16f, MiniFloat.E5M2.decode(0x01)); // 2^-14 * 1/4
    }

    @Test
    void roundsToNearestEvenAndSaturatesOrOverflows() {
        // 1.0625 lies halfway between 1.0 (0x38, even) and 1.125 (0x39): ties go to the even code
        assertEquals(0x38, MiniFloat.E4M3FN.encode(1.0625, true));
        assertEquals(0x3A, MiniFloat.E4M3FN.encode(1.1875, true)); // between 1.125 (0x39) and 1.25 (0x3A)
        assertEquals(0x7E, MiniFloat.E4M3FN.encode(460, true)); // below the midpoint 464: rounds to 448
        assertEquals(0x7E, MiniFloat.E4M3FN.encode(1e6, true)); // saturates
        assertEquals(0x7F, MiniFloat.E4M3FN.encode(1e6, false)); // overflows to NaN: no infinity
        assertEquals(0x7C, MiniFloat.E5M2.encode(Double.POSITIVE_INFINITY, false));
        assertEquals(0x7B, MiniFloat.E5M2.encode(Double.POSITIVE_INFINITY, true));
        assertEquals(0xFC, MiniFloat.E5M2.encode(61440, false) | 0x80); // the tie above the max rounds to infinity
        assertEquals(0x00, MiniFloat.E4M3FNUZ.encode(-0.0, true)); // no negative zero
        assertEquals(0x80, MiniFloat.E5M2FNUZ.encode(Double.NaN, true));
        assertEquals(0x5, MiniFloat.E2M1.encode(3.4, true)); // 3.0
        assertEquals(0xF, MiniFloat.E2M1.encode(-100, false)); // E2M1 always saturates
    }

    @Test
    void fourBitTypesPackTwoPerByteLowNibbleFirst() {
        Tensor t = Tensor.allocate(ElementType.I4, 3);
        t.setLong(0, -8);
        t.setLong(1, 7);
        t.setLong(2, -1);
        byte[] packed = TensorBytes.toLittleEndian(t);
        assertEquals(2, packed.length);
        assertEquals((byte) 0x78, packed[0]);
        assertEquals((byte) 0x0F, packed[1]);
        Tensor back = TensorBytes.fromLittleEndian(ElementType.I4, new int[] {3}, ByteBuffer.wrap(packed), "test");
        assertEquals(-8, back.getLong(0));
        assertEquals(7, back.getLong(1));
        assertEquals(-1, back.getLong(2));
        Tensor f4 = TensorBytes.fromLittleEndian(ElementType.F4E2M1, new int[] {2}, ByteBuffer.wrap(new byte[] {(byte) 0xF7}),
                "test");
        assertEquals(6.0, f4.getDouble(0));
        assertEquals(-6.0, f4.getDouble(1));
    }
}
