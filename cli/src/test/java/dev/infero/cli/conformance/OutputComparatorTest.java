package dev.infero.cli.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

class OutputComparatorTest {
    private static final Tolerance TOL = new Tolerance(1e-3, 1e-7);

    private static String compare(float expected, float actual) {
        return OutputComparator.mismatch(Tensor.of(new float[] {expected}, 1), Tensor.of(new float[] {actual}, 1), TOL);
    }

    @Test
    void floatsWithinAtolPlusRtolTimesExpectedMatch() {
        assertNull(compare(1000f, 1000.99f));
        assertNull(compare(0f, 5e-8f));
        assertEquals("1 of 1 values differ beyond rtol 0.001, atol 1.0E-7; worst at [0]: got 1001.25, expected 1000.0",
                compare(1000f, 1001.25f));
        assertEquals("1 of 1 values differ beyond rtol 0.001, atol 1.0E-7; worst at [0]: got 2.0E-7, expected 0.0",
                compare(0f, 2e-7f));
    }

    @Test
    void nanMatchesOnlyNanAndInfinityOnlyTheSameInfinity() {
        assertNull(compare(Float.NaN, Float.NaN));
        assertEquals("1 of 1 values differ beyond rtol 0.001, atol 1.0E-7; worst at [0]: got 1.0, expected NaN",
                compare(Float.NaN, 1f));
        assertEquals("1 of 1 values differ beyond rtol 0.001, atol 1.0E-7; worst at [0]: got NaN, expected 1.0",
                compare(1f, Float.NaN));
        assertNull(compare(Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY));
        assertEquals("1 of 1 values differ beyond rtol 0.001, atol 1.0E-7; worst at [0]: got -Infinity, "
                + "expected Infinity", compare(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY));
    }

    @Test
    void worstElementIsReportedWithItsIndex() {
        Tensor expected = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor actual = Tensor.of(new float[] {1, 2.1f, 3, 4, 5, 7}, 2, 3);
        assertEquals("2 of 6 values differ beyond rtol 0.001, atol 1.0E-7; worst at [1,2]: got 7.0, expected 6.0",
                OutputComparator.mismatch(expected, actual, TOL));
    }

    @Test
    void integersMustBeExact() {
        Tensor expected = Tensor.of(new long[] {1000000, 7}, 2);
        assertNull(OutputComparator.mismatch(expected, Tensor.of(new long[] {1000000, 7}, 2), TOL));
        assertEquals("1 of 2 values differ; first at [0]: got 1000001, expected 1000000",
                OutputComparator.mismatch(expected, Tensor.of(new long[] {1000001, 7}, 2), TOL));
    }

    @Test
    void booleansMustBeExact() {
        Tensor expected = Tensor.allocate(ElementType.BOOLEAN, 2);
        expected.setLong(1, 1);
        Tensor actual = Tensor.allocate(ElementType.BOOLEAN, 2);
        assertEquals("1 of 2 values differ; first at [1]: got 0, expected 1",
                OutputComparator.mismatch(expected, actual, TOL));
    }

    @Test
    void typeAndShapeAreCheckedBeforeValues() {
        assertEquals("type i32, expected i64", OutputComparator.mismatch(Tensor.of(new long[] {1}, 1),
                Tensor.of(new int[] {1}, 1), TOL));
        assertEquals("shape [1,2], expected [2]", OutputComparator.mismatch(Tensor.of(new float[] {1, 2}, 2),
                Tensor.of(new float[] {1, 2}, 1, 2), TOL));
    }

    @Test
    void float16IsComparedByValue() {
        Tensor expected = Tensor.allocate(ElementType.F16, 1);
        expected.setDouble(0, 1.5);
        Tensor actual = Tensor.allocate(ElementType.F16, 1);
        actual.setDouble(0, 1.5);
        assertNull(OutputComparator.mismatch(expected, actual, TOL));
    }
}
