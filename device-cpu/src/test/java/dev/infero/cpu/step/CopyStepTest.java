package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Copy steps equal the ops' reference evaluation, however the copy is cut into parts: every part is run as one thread
 * would run it, one after another, for 1 to 5 parts, on random shapes.
 */
class CopyStepTest {
    private static final Random R = new Random(42);

    private static Tensor random(ElementType type, int[] shape) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < t.size(); i++) {
            if (type == ElementType.F32) {
                t.floats()[i] = R.nextFloat();
            } else {
                ((long[]) t.array())[i] = R.nextLong();
            }
        }
        return t;
    }

    private static int[] randomShape(int rank) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = 1 + R.nextInt(6);
        }
        return s;
    }

    /** Checks the step of {@code node} (which must exist) against the reference on {@code inputs}. */
    private static void assertMatchesReference(Node node, Tensor[] inputs, String execType) {
        CopyStep step = node.op() instanceof Transpose ? TransposeStep.of(node) : CopyStep.of(node);
        assertNotNull(step, node.type());
        assertEquals(execType, step.execType().kernel());
        int[] shape = node.output(0).shape().toArray();
        Tensor expected = Tensor.allocate(node.output(0).type(), shape);
        Tensor[] all = new Tensor[node.inputs().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i < inputs.length ? inputs[i] : node.input(i).knownValue();
        }
        node.op().evaluate(all, new Tensor[] {expected});
        for (int parts = 1; parts <= 5; parts++) {
            Tensor actual = Tensor.allocate(node.output(0).type(), shape);
            step.runInParts(all, new Tensor[] {actual}, parts);
            if (expected.type() == ElementType.F32) {
                assertArrayEquals(expected.floats(), actual.floats(), node.type() + " in " + parts + " parts");
            } else {
                assertArrayEquals((long[]) expected.array(), (long[]) actual.array(), node.type() + " in " + parts);
            }
        }
    }

    private static Value constant(Graph g, long... values) {
        return g.addConstant("c" + g.nodes().size(), Tensor.of(values, values.length)).output(0);
    }

    @RepeatedTest(20)
    void slicesWithStepsAndNegativeStrides() {
        int rank = 1 + R.nextInt(4);
        int[] in = randomShape(rank);
        Graph g = new Graph("slice");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(in)).output(0);
        int axes = 1 + R.nextInt(rank);
        long[] start = new long[axes];
        long[] stop = new long[axes];
        long[] step = new long[axes];
        long[] axis = new long[axes];
        for (int i = 0; i < axes; i++) {
            axis[i] = rank - 1 - i;
            int dim = in[rank - 1 - i];
            step[i] = R.nextBoolean() ? 1 + R.nextInt(3) : -1 - R.nextInt(2);
            start[i] = step[i] > 0 ? R.nextInt(dim) : dim - 1 - R.nextInt(dim);
            stop[i] = step[i] > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        Value y = g.value(new Slice(), "s", x, constant(g, start), constant(g, stop), constant(g, step),
                constant(g, axis));
        assertMatchesReference(y.node(), new Tensor[] {random(ElementType.F32, in)}, "strided_copy");
    }

    @RepeatedTest(40)
    void stridedSlicesWithMasksNewAxesShrinksAndEllipsis() {
        int rank = 1 + R.nextInt(4);
        int[] in = randomShape(rank);
        java.util.List<long[]> specs = new java.util.ArrayList<>();
        long[][] masks = new long[5][8];
        boolean ellipsis = false;
        int axis = 0;
        int n = 0;
        while (n < 8 && (axis < rank || R.nextInt(4) == 0)) {
            int kind = R.nextInt(10);
            long[] spec;
            if (kind == 0) {
                masks[2][n] = 1;
                spec = new long[] {0, 0, 1};
            } else if (kind == 1 && !ellipsis) {
                masks[4][n] = 1;
                ellipsis = true;
                spec = new long[] {0, 0, 1};
                axis = rank;
            } else if (axis >= rank) {
                break;
            } else if (kind == 2) {
                masks[3][n] = 1;
                int dim = in[axis++];
                spec = new long[] {R.nextInt(2 * dim) - dim, 0, 1};
            } else {
                int dim = in[axis++];
                long stride = R.nextBoolean() ? 1 + R.nextInt(3) : -1 - R.nextInt(2);
                spec = new long[] {R.nextInt(2 * dim + 3) - dim - 1, R.nextInt(2 * dim + 3) - dim - 1, stride};
                masks[0][n] = R.nextInt(3) == 0 ? 1 : 0;
                masks[1][n] = R.nextInt(3) == 0 ? 1 : 0;
            }
            specs.add(spec);
            n++;
        }
        long[][] bes = new long[3][specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            for (int k = 0; k < 3; k++) {
                bes[k][i] = specs.get(i)[k];
            }
        }
        Graph g = new Graph("strided_slice");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(in)).output(0);
        int m = specs.size();
        Value y = g.value(new StridedSlice(java.util.Arrays.copyOf(masks[0], m), java.util.Arrays.copyOf(masks[1], m),
                java.util.Arrays.copyOf(masks[2], m), java.util.Arrays.copyOf(masks[3], m),
                java.util.Arrays.copyOf(masks[4], m)), "ss", x, constant(g, bes[0]), constant(g, bes[1]),
                constant(g, bes[2]));
        assertMatchesReference(y.node(), new Tensor[] {random(ElementType.F32, in)}, "strided_copy");
    }

    @RepeatedTest(20)
    void concatenationOnAnyAxis() {
        int rank = 1 + R.nextInt(4);
        int axis = R.nextInt(rank);
        int n = 1 + R.nextInt(4);
        ElementType type = R.nextBoolean() ? ElementType.F32 : ElementType.I64;
        Graph g = new Graph("concat");
        int[] base = randomShape(rank);
        Value[] xs = new Value[n];
        Tensor[] inputs = new Tensor[n];
        for (int i = 0; i < n; i++) {
            int[] s = base.clone();
            s[axis] = 1 + R.nextInt(5);
            xs[i] = g.addParameter("x" + i, type, PartialShape.of(s)).output(0);
            inputs[i] = random(type, s);
        }
        Value y = g.value(new Concat(axis - (R.nextBoolean() ? rank : 0)), "c", xs);
        assertMatchesReference(y.node(), inputs, "concat_copy");
    }

    @RepeatedTest(10)
    void transposes() {
        int rank = 1 + R.nextInt(5);
        int[] in = randomShape(rank);
        long[] order = new long[rank];
        java.util.List<Long> axes = new java.util.ArrayList<>();
        for (long a = 0; a < rank; a++) {
            axes.add(a);
        }
        java.util.Collections.shuffle(axes, R);
        for (int i = 0; i < rank; i++) {
            order[i] = axes.get(i);
        }
        Graph g = new Graph("transpose");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(in)).output(0);
        Value y = g.value(new Transpose(), "t", x, constant(g, order));
        assertMatchesReference(y.node(), new Tensor[] {random(ElementType.F32, in)}, "strided_copy");
    }

    @Test
    void reshapeCopiesInOrder() {
        Graph g = new Graph("reshape");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(2, 3, 5, 7)).output(0);
        Value y = g.value(new Reshape(false), "r", x, constant(g, 6, 35));
        assertMatchesReference(y.node(), new Tensor[] {random(ElementType.F32, new int[] {2, 3, 5, 7})},
                "reshape_copy");
    }
}
