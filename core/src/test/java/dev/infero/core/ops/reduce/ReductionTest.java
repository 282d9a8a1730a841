package dev.infero.core.ops.reduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.ops.OpHarness;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

class ReductionTest {
    /** [2, 3, 4] holding 0, 1, .., 23. */
    private static final Tensor X = Tensor.of(iota(24), 2, 3, 4);

    private static float[] iota(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
        }
        return f;
    }

    private static Value run(Op op, Tensor data, long... axes) {
        return OpHarness.value(op, data, Tensor.vector(axes));
    }

    private static float[] floats(Value v) {
        return v.knownValue().toFloatArray();
    }

    @Test
    void sumOverTheInnermostAxisKeepsItAsOne() {
        Value y = run(new ReduceSum(true), X, 2);
        assertEquals(PartialShape.of(2, 3, 1), y.shape());
        assertArrayEquals(new float[] {6, 22, 38, 54, 70, 86}, floats(y));
    }

    @Test
    void sumOverAnOuterAxisAddsWholeRows() {
        Value y = run(new ReduceSum(false), X, 0);
        assertEquals(PartialShape.of(3, 4), y.shape());
        assertArrayEquals(new float[] {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}, floats(y));
    }

    @Test
    void nonAdjacentAndNegativeAxes() {
        Value y = run(new ReduceMax(false), X, 0, -1);
        assertEquals(PartialShape.of(3), y.shape());
        assertArrayEquals(new float[] {15, 19, 23}, floats(y));
    }

    @Test
    void emptyAxesReduceNothing() {
        Value y = run(new ReduceSum(false), X);
        assertEquals(PartialShape.of(2, 3, 4), y.shape());
        assertArrayEquals(iota(24), floats(y));
    }

    @Test
    void meanL1AndL2FinishEachOutput() {
        Tensor v = Tensor.of(new float[] {3, -4, 1, 1}, 2, 2);
        assertArrayEquals(new float[] {-0.5f, 1}, floats(run(new ReduceMean(false), v, 1)));
        assertArrayEquals(new float[] {7, 2}, floats(run(new ReduceL1(false), v, 1)));
        assertArrayEquals(new float[] {5, (float) Math.sqrt(2)}, floats(run(new ReduceL2(false), v, 1)), 1e-6f);
    }

    @Test
    void reducingAnEmptyAxisGivesTheIdentity() {
        Tensor empty = Tensor.allocate(ElementType.F32, 2, 0);
        assertArrayEquals(new float[] {0, 0}, floats(run(new ReduceSum(false), empty, 1)));
        assertArrayEquals(new float[] {1, 1}, floats(run(new ReduceProd(false), empty, 1)));
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                floats(run(new ReduceMax(false), empty, 1)));
    }

    @Test
    void longVectorsFoldAllLanesAndTheTail() {
        float[] v = new float[37];
        java.util.Arrays.fill(v, 1);
        v[36] = 100;
        assertArrayEquals(new float[] {136}, floats(run(new ReduceSum(false), Tensor.of(v, 37), 0)));
        assertArrayEquals(new float[] {100}, floats(run(new ReduceMax(false), Tensor.of(v, 37), 0)));
    }

    @Test
    void integersReduceExactlyAndMeanTruncates() {
        long big = 1L << 60;
        Tensor v = Tensor.of(new long[] {big, 1, 2, 5}, 2, 2);
        assertArrayEquals(new long[] {big + 1, 7}, run(new ReduceSum(false), v, 1).knownValue().toLongArray());
        assertArrayEquals(new long[] {big / 2, 3}, run(new ReduceMean(false), v, 1).knownValue().toLongArray());
        Tensor ints = Tensor.of(new int[] {-7, 2}, 2);
        assertEquals(ElementType.I32, run(new ReduceMin(true), ints, 0).type());
        assertArrayEquals(new long[] {-7}, run(new ReduceMin(true), ints, 0).knownValue().toLongArray());
    }

    @Test
    void booleansReduceAsZeroAndOne() {
        Tensor b = Tensor.allocate(ElementType.BOOLEAN, 2, 2);
        b.setLong(1, 1);
        Value any = run(new ReduceMax(false), b, 1);
        assertEquals(ElementType.BOOLEAN, any.type());
        assertArrayEquals(new long[] {1, 0}, any.knownValue().toLongArray());
    }

    @Test
    void runTimeAxesGiveDynamicDimensionsOfKnownRank() {
        Graph g = new Graph("t");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(2, 3, 4)).output(0);
        Value axes = g.addParameter("a", ElementType.I64, PartialShape.of(2)).output(0);
        assertEquals(PartialShape.dynamic(3), g.add(new ReduceSum(true), "k", x, axes).output(0).shape());
        assertEquals(PartialShape.dynamic(1), g.add(new ReduceSum(false), "d", x, axes).output(0).shape());
    }

    @Test
    void anAxisOutOfRangeIsAnError() {
        InferoException e = assertThrows(InferoException.class, () -> run(new ReduceSum(false), X, 3));
        assertTrue(e.getMessage().contains("axis 3 is out of range for rank 3"), e.getMessage());
    }
}
