package dev.infero.core.ops.misc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Einsum against hand-computed results (folded on constants, so shape inference runs too). */
class EinsumTest {
    private static Tensor einsum(String equation, Tensor... inputs) {
        Graph g = new Graph("g");
        Value[] in = new Value[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = g.addConstant("in" + i, inputs[i]).output(0);
        }
        Value y = g.add(new Einsum(equation), "einsum", in).output(0);
        Tensor t = y.knownValue();
        assertArrayEquals(y.shape().toArray(), t.shape());
        return t;
    }

    private final Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    private final Tensor b = Tensor.of(new float[] {1, 0, 2, 1, 0, 3}, 3, 2);

    @Test
    void matmulTransposeTraceOuterAndImplicitOutputs() {
        assertArrayEquals(new float[] {5, 11, 14, 23}, einsum("ij,jk->ik", a, b).floats()); // [[1+4+0, 0+2+9], ...]
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, einsum("ij->ji", a).floats());
        assertArrayEquals(new float[] {21}, einsum("ij->", a).floats());
        Tensor square = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new float[] {5}, einsum("ii", square).floats()); // implicit: no label appears once -> trace
        assertArrayEquals(new float[] {1, 4}, einsum("ii->i", square).floats());
        assertArrayEquals(new float[] {1, 3, 2, 4}, einsum("ji", square).floats()); // implicit output "ij"
        Tensor v = Tensor.of(new float[] {1, 2}, 2);
        assertArrayEquals(new float[] {1, 2, 2, 4}, einsum("i,j->ij", v, v).floats());
        assertArrayEquals(new float[] {5}, einsum("i,i", v, v).floats());
    }

    @Test
    void ellipsisBroadcastsAndBatchDiagonal() {
        Tensor batch = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        assertArrayEquals(new float[] {1, 4, 5, 8}, einsum("...ii->...i", batch).floats());
        Tensor row = Tensor.of(new float[] {10, 100}, 1, 2);
        // batched matrix-vector product with a broadcast batch dimension of 1
        assertArrayEquals(new float[] {210, 430, 650, 870}, einsum("...ij,...j->...i", batch, row).floats());
    }

    @Test
    void badEquationsAreErrorsNamingTheEquation() {
        InferoException e = assertThrows(InferoException.class, () -> einsum("ij,jk->ik", a));
        assertTrue(e.getMessage().contains("'ij,jk->ik'"), e.getMessage());
        e = assertThrows(InferoException.class, () -> einsum("ij,jk->ik", a, a));
        assertTrue(e.getMessage().contains("sizes 3 and 2"), e.getMessage());
        e = assertThrows(InferoException.class, () -> einsum("ij->iz", a));
        assertTrue(e.getMessage().contains("'z' appears in no input"), e.getMessage());
    }
}
