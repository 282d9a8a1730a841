package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.ReferenceRunner;
import org.junit.jupiter.api.Test;

/**
 * f16 activations become f32 between an f16 input and an f16 output (both keep their type), f16 constants are read
 * through decompression Converts, and the result is the f32 evaluation rounded to f16 at the end.
 */
class ComputeF16InF32Test {
    @Test
    void f16GraphComputesInF32AndKeepsItsInterface() {
        GraphBuilder b = new GraphBuilder("h");
        Value x = b.input("x", ElementType.F16, 2, 3);
        Tensor w = Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f}, 3, 2).convertTo(ElementType.F16);
        Value y = b.op(new MatMul(false, false), x, b.constant(w));
        y = b.op(new Relu(), b.op(new Add(), y, b.constant(Tensor.of(new float[] {0.25f, -1f}, 2)
                .convertTo(ElementType.F16))));
        Value z = b.op(new Convert(ElementType.F16), b.op(new Convert(ElementType.F32), y));
        b.output(z);
        Graph g = b.graph();
        Tensor input = Tensor.of(new float[] {1, 2, 3, -1, 0.5f, 7}, 2, 3).convertTo(ElementType.F16);
        float[] before = ReferenceRunner.run(g.copy(), input).get(0).toFloatArray();

        assertTrue(new ComputeF16InF32().apply(g) > 0);
        for (Node n : g.nodes()) {
            boolean boundary = n.op() instanceof Parameter || n.op() instanceof Result || n.op() instanceof Constant
                    || g.results().stream().anyMatch(r -> r.input(0) == n.output(0));
            if (!boundary) {
                assertEquals(ElementType.F32, n.output(0).type(), n.toString());
            }
        }
        assertEquals(ElementType.F16, g.parameters().get(0).output(0).type());
        assertEquals(ElementType.F16, g.results().get(0).input(0).type());
        assertTrue(g.nodes().stream().filter(n -> n.op() instanceof Convert && n.rtInfo().containsKey("decompression"))
                .count() == 2, "both f16 constants are decompressed");
        float[] after = ReferenceRunner.run(g, input).get(0).toFloatArray();
        assertArrayEquals(before, after, 0.01f);
        assertEquals(0, new ComputeF16InF32().apply(g), "idempotent");
    }
}
