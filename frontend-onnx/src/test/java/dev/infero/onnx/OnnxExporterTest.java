package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Cos;
import dev.infero.core.ops.eltwise.Sin;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import org.junit.jupiter.api.Test;

/** How FakeQuantize ranges become QuantizeLinear parameters, and what the exporter refuses. */
class OnnxExporterTest {
    private static Graph fakeQuantized(float[] low, float[] high, int... rangeShape) {
        Graph g = new Graph("fq");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 2, 4, 4)).output(0);
        Value il = g.addConstant("il", Tensor.of(low, rangeShape)).output(0);
        Value ih = g.addConstant("ih", Tensor.of(high, rangeShape)).output(0);
        Value ol = g.addConstant("ol", Tensor.of(low.clone(), rangeShape)).output(0);
        Value oh = g.addConstant("oh", Tensor.of(high.clone(), rangeShape)).output(0);
        g.addResult("y", g.value(new FakeQuantize(256), "fq", x, il, ih, ol, oh));
        return g;
    }

    private static Tensor initializer(ModelProto m, String name) {
        return TensorProtos.toTensor(m.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(name)).findFirst().orElseThrow());
    }

    @Test
    void unsignedRangeIsUint8WithZeroPointFromTheLowEnd() {
        ModelProto m = OnnxExporter.export(fakeQuantized(new float[] {0}, new float[] {2.55f}, 1, 1, 1, 1));
        assertEquals(0.01f, initializer(m, "fq/scale").floats()[0], 1e-7f);
        Tensor zp = initializer(m, "fq/zero_point");
        assertEquals(ElementType.U8, zp.type());
        assertEquals(0, zp.getLong(0));
        assertEquals(0, zp.rank(), "per-tensor parameters are scalars");
    }

    @Test
    void signedSymmetricRangeIsInt8WithZeroPointZero() {
        ModelProto m = OnnxExporter.export(fakeQuantized(new float[] {-1.28f}, new float[] {1.27f}, 1, 1, 1, 1));
        assertEquals(0.01f, initializer(m, "fq/scale").floats()[0], 1e-7f);
        assertEquals(ElementType.I8, initializer(m, "fq/zero_point").type());
    }

    @Test
    void perChannelRangesArePerAxisOnTheChannelAxis() {
        ModelProto m = OnnxExporter.export(fakeQuantized(new float[] {0, -1.28f}, new float[] {2.55f, 1.27f},
                1, 2, 1, 1));
        Tensor zp = initializer(m, "fq/zero_point");
        assertEquals(ElementType.U8, zp.type(), "one type for all channels: uint8 holds 0 and 128");
        assertEquals(128, zp.getLong(1));
        NodeProto q = m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("QuantizeLinear"))
                .findFirst().orElseThrow();
        assertEquals(1, q.getAttributeList().stream().filter(a -> a.getName().equals("axis")).findFirst()
                .orElseThrow().getI());
    }

    @Test
    void zeroOffALevelIsRefused() {
        InferoException e = assertThrows(InferoException.class,
                () -> OnnxExporter.export(fakeQuantized(new float[] {-0.005f}, new float[] {2.545f}, 1, 1, 1, 1)));
        assertEquals("cannot export FakeQuantize fq: zero is not on a level of [-0.005, 2.545]", e.getMessage());
    }

    @Test
    void unmappedOpsAreListedTogether() {
        Graph g = new Graph("trig");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(3)).output(0);
        g.addResult("y", g.value(new Cos(), "cos", g.value(new Sin(), "sin", x)));
        InferoException e = assertThrows(InferoException.class, () -> OnnxExporter.export(g));
        assertEquals("cannot export to ONNX: no mapping for Cos, Sin", e.getMessage());
    }
}
