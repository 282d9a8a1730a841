package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.testing.GraphBuilder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A QuantizeLinear → DequantizeLinear pair before a layer with integer weight codes gets the FakeQuantize the INT8
 * kernels take, over exactly the pair's values; a pair whose two scales differ does not; the zero point's Subtract
 * becomes an Add either way.
 */
class QuantizedActivationsTest {
    @Test
    void theGridOfEveryScaleAndZeroPointIsAccepted() {
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            float scale = (float) Math.pow(10, -5 + 6 * r.nextDouble());
            long qmin = r.nextBoolean() ? 0 : -128;
            long zp = qmin + r.nextInt(256);
            float[] range = QuantizedActivations.identityRange(qmin - zp, qmin + 255 - zp, scale);
            assertNotNull(range, "scale " + scale + ", zero point " + zp);
            assertEquals((float) ((qmin - zp) * (double) scale), range[0]);
        }
    }

    @Test
    void pairBeforeInt8LayerGetsFakeQuantize() {
        Graph g = pair(0.02f, 0.02f, ElementType.U8, 100);
        assertEquals(2, new QuantizedActivations().apply(g));
        Node layer = layer(g);
        Node fq = layer.input(0).node();
        assertTrue(fq.op() instanceof FakeQuantize op && op.levels() == 256, fq.toString());
        assertEquals(-100 * 0.02f, fq.input(1).knownValue().floats()[0]);
        assertEquals((float) (155 * 0.02), fq.input(2).knownValue().floats()[0]);
        Node mul = fq.input(0).node();
        assertTrue(mul.op() instanceof Multiply);
        assertTrue(mul.input(0).node().op() instanceof Add, "the zero point's Subtract is an Add");
        assertEquals(-100f, mul.input(0).node().input(1).knownValue().floats()[0]);
    }

    @Test
    void pairWithDifferentScalesStaysFloat() {
        Graph g = pair(0.02f, 0.0201f, ElementType.I8, -3);
        assertEquals(1, new QuantizedActivations().apply(g), "only the Subtract");
        Node layer = layer(g);
        assertTrue(layer.input(0).node().op() instanceof Multiply, "no FakeQuantize");
    }

    @Test
    void converterFormBeforeInt8LayerGetsFakeQuantize() {
        Graph g = converterForm(256, 255);
        assertEquals(1, new QuantizedActivations().apply(g));
        Node fq = layer(g).input(0).node();
        assertTrue(fq.op() instanceof FakeQuantize op && op.levels() == 256, fq.toString());
        assertEquals(-100 * 0.02f, fq.input(1).knownValue().floats()[0]);
        assertEquals((float) (155 * 0.02), fq.input(2).knownValue().floats()[0]);
        assertTrue(fq.input(0).node().op() instanceof Multiply, "over the dequantized value");
    }

    @Test
    void converterFormWhoseLevelsAreNotTheU8CodesStaysFloat() {
        assertEquals(0, new QuantizedActivations().apply(converterForm(255, 254)));
        assertEquals(0, new QuantizedActivations().apply(converterForm(256, 510)), "levels two apart");
    }

    /**
     * x → FakeQuantize(x, -1, 1, 0, outHigh, levels) → Convert(u8) → Convert(f32) → Subtract(100) → Multiply(0.02)
     * → MatMul(i8 codes × 0.01): OpenVINO's converter form of a u8 activation when levels 256 and outHigh 255.
     */
    private static Graph converterForm(long levels, float outHigh) {
        GraphBuilder b = new GraphBuilder("converter");
        Value x = b.input("x", ElementType.F32, 2, 8);
        Value fq = b.op(new FakeQuantize(levels), x, b.constant(Tensor.scalar(-1f)), b.constant(Tensor.scalar(1f)),
                b.constant(Tensor.scalar(0f)), b.constant(Tensor.scalar(outHigh)));
        Value codes = b.op(new Convert(ElementType.F32), b.op(new Convert(ElementType.U8), fq));
        Value v = b.op(new Multiply(), b.op(new Subtract(), codes, b.constant(Tensor.scalar(100f))),
                b.constant(Tensor.scalar(0.02f)));
        Tensor w = Tensor.allocate(ElementType.I8, 8, 4);
        for (int i = 0; i < w.size(); i++) {
            w.setLong(i, i % 5 - 2);
        }
        b.output(b.op("layer", new MatMul(false, false), v, b.op(new Multiply(),
                b.op(new Convert(ElementType.F32), b.constant(w)), b.constant(Tensor.scalar(0.01f)))));
        return b.graph();
    }

    /** x → QuantizeLinear(qScale, zp) → Convert → Subtract(zp) → Multiply(dqScale) → MatMul(i8 codes × 0.01). */
    private static Graph pair(float qScale, float dqScale, ElementType type, int zeroPoint) {
        GraphBuilder b = new GraphBuilder("qdq");
        Value x = b.input("x", ElementType.F32, 2, 8);
        Tensor zp = Tensor.allocate(type);
        zp.setLong(0, zeroPoint);
        Value q = b.op(new QuantizeLinear(type), x, b.constant(Tensor.scalar(qScale)), b.constant(zp));
        Value v = b.op(new Multiply(), b.op(new Subtract(), b.op(new Convert(ElementType.F32), q),
                b.op(new Convert(ElementType.F32), b.constant(zp))), b.constant(Tensor.scalar(dqScale)));
        Tensor codes = Tensor.allocate(ElementType.I8, 8, 4);
        for (int i = 0; i < codes.size(); i++) {
            codes.setLong(i, i % 7 - 3);
        }
        Value w = b.op(new Multiply(), b.op(new Convert(ElementType.F32), b.constant(codes)),
                b.constant(Tensor.scalar(0.01f)));
        b.output(b.op("layer", new MatMul(false, false), v, w));
        return b.graph();
    }

    private static Node layer(Graph g) {
        Node layer = g.nodes().stream().filter(n -> n.op() instanceof MatMul).findFirst().orElseThrow();
        assertSame(layer, g.nodes().stream().filter(n -> n.name().equals("layer")).findFirst().orElseThrow());
        return layer;
    }
}
