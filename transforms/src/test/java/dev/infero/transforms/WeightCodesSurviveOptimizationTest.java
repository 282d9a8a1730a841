package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.GraphBuilder;
import org.junit.jupiter.api.Test;

/**
 * The standard optimizations ({@code convert}) keep an INT8 model's weights as integer codes behind their
 * dequantization (Convert → [Subtract] → Multiply), as OpenVINO keeps decompression and dequantization subgraphs:
 * folding them into f32 constants would make the converted model run its layers in f32 and store 4 bytes a weight.
 */
class WeightCodesSurviveOptimizationTest {
    @Test
    void dequantizedWeightsAreNotFolded() {
        for (boolean zeroPoint : new boolean[] {false, true}) {
            GraphBuilder b = new GraphBuilder("w");
            Value x = b.input("x", ElementType.F32, 2, 3);
            Tensor codes = Tensor.allocate(zeroPoint ? ElementType.U8 : ElementType.I8, 4, 3);
            for (int i = 0; i < codes.size(); i++) {
                codes.setLong(i, zeroPoint ? 100 + i : i - 6);
            }
            Value w = b.op(new Convert(ElementType.F32), b.constant(codes));
            if (zeroPoint) {
                w = b.op(new Subtract(), w, b.constant(Tensor.scalar(128f)));
            }
            w = b.op(new Multiply(), w, b.constant(Tensor.of(new float[] {0.5f, 0.25f, 0.125f, 1f}, 4, 1)));
            b.output(b.op(new MatMul(false, true), x, w));
            Graph g = b.graph();
            new PassManager(Optimizations.standard()).run(g);
            Node mm = g.nodes().stream().filter(n -> n.op() instanceof MatMul).findFirst().orElseThrow();
            Node mul = mm.input(1).node();
            assertTrue(mul.op() instanceof Multiply, "weights still dequantized: " + g.nodes());
            assertEquals(zeroPoint ? ElementType.U8 : ElementType.I8, g.nodes().stream()
                    .filter(n -> n.op() instanceof Convert).findFirst().orElseThrow().input(0).type());
        }
    }
}
