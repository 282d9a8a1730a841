package dev.infero.core.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Shapes as command-line options write them. */
class PartialShapeParseTest {
    @Test
    void dimensionsQuestionMarksAndScalars() {
        assertEquals(PartialShape.of(1, 3, PartialShape.DYNAMIC, PartialShape.DYNAMIC),
                PartialShape.parse("1,3,?,-1", false));
        assertEquals(PartialShape.scalar(), PartialShape.parse("", true));
        assertEquals(PartialShape.of(0, 2), PartialShape.parse("0,2", false));
    }

    @Test
    void aDimensionThatIsNoneIsNamed() {
        assertEquals("invalid dimension 'x'",
                assertThrows(IllegalArgumentException.class, () -> PartialShape.parse("1,x", false)).getMessage());
        assertEquals("invalid dimension '?'",
                assertThrows(IllegalArgumentException.class, () -> PartialShape.parse("1,?", true)).getMessage());
        assertEquals("invalid dimension '0'",
                assertThrows(IllegalArgumentException.class, () -> PartialShape.parse("0,2", true)).getMessage());
    }
}
