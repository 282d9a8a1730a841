package dev.infero.core.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class E8M0Test {
    @Test
    void codesArePowersOfTwoWithBias127AndFFIsNaN() {
        assertEquals(1f, E8M0.decode(127));
        assertEquals(0.5f, E8M0.decode(126));
        assertEquals((float) Math.scalb(1.0, -127), E8M0.decode(0));
        assertEquals((float) Math.scalb(1.0, 127), E8M0.decode(0xFE));
        assertTrue(Float.isNaN(E8M0.decode(0xFF)));
    }

    @Test
    void roundingModesTreatTheMantissaAsOnnxCastSays() {
        for (E8M0.Rounding r : E8M0.Rounding.values()) {
            assertEquals(127, E8M0.encode(1.0, true, r), r.name());
            assertEquals(128, E8M0.encode(-2.0, true, r), "the sign is dropped, " + r);
        }
        assertEquals(128, E8M0.encode(1.25, true, E8M0.Rounding.UP));
        assertEquals(127, E8M0.encode(1.75, true, E8M0.Rounding.DOWN));
        assertEquals(127, E8M0.encode(1.25, true, E8M0.Rounding.NEAREST));
        assertEquals(128, E8M0.encode(1.5, true, E8M0.Rounding.NEAREST), "a tie rounds up");
        assertEquals(128, E8M0.encode(1.75, true, E8M0.Rounding.NEAREST));
    }

    @Test
    void overflowSaturatesOrBecomesNaN() {
        assertEquals(0xFE, E8M0.encode(Float.MAX_VALUE, true, E8M0.Rounding.UP));
        assertEquals(0xFF, E8M0.encode(Float.MAX_VALUE, false, E8M0.Rounding.UP));
        assertEquals(0xFF, E8M0.encode(Double.POSITIVE_INFINITY, true, E8M0.Rounding.DOWN));
        assertEquals(0xFF, E8M0.encode(Double.NaN, true, E8M0.Rounding.NEAREST));
    }
}
