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

    /**
     * FakeQuantize (per tensor, [0, 2.55]: step 0.01) → Convolution 1×1 of int8 weights × scales [0.5, 0.25] →
     * BatchNormInference with gamma {@code gamma0} on channel 0.
     */
    private static Graph quantizedConvBatchNorm(float gamma0) {
        Graph g = new Graph("qconv");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 2, 4, 4)).output(0);
        Value fq = g.value(new FakeQuantize(256), "fq", x, g.addConstant("il", Tensor.of(new float[] {0}, 1, 1, 1, 1)).output(0),
                g.addConstant("ih", Tensor.of(new float[] {2.55f}, 1, 1, 1, 1)).output(0),
                g.addConstant("ol", Tensor.of(new float[] {0}, 1, 1, 1, 1)).output(0),
                g.addConstant("oh", Tensor.of(new float[] {2.55f}, 1, 1, 1, 1)).output(0));
        Tensor codes = Tensor.allocate(ElementType.I8, 2, 2, 1, 1);
        for (int i = 0; i < 4; i++) {
            codes.setLong(i, i * 20 - 30);
        }
        Value w = g.value(new dev.infero.core.ops.eltwise.Multiply(), "w",
                g.value(new dev.infero.core.ops.eltwise.Convert(ElementType.F32), "wc", g.addConstant("wq", codes).output(0)),
                g.addConstant("ws", Tensor.of(new float[] {0.5f, 0.25f}, 2, 1, 1, 1)).output(0));
        Value conv = g.value(new dev.infero.core.ops.nn.Convolution(new dev.infero.core.ops.nn.WindowGeometry(
                new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0},
                dev.infero.core.ops.nn.AutoPad.EXPLICIT, false)), "conv", fq, w);
        Value[] p = new Value[4];
        float[][] values = {{gamma0, 3f}, {0.5f, -1f}, {1f, 2f}, {3.999f, 0.999f}};
        for (int i = 0; i < 4; i++) {
            p[i] = g.addConstant("bn" + i, Tensor.of(values[i], 2)).output(0);
        }
        g.addResult("y", g.value(new dev.infero.core.ops.nn.BatchNormInference(1e-3), "bn", conv, p[0], p[1], p[2],
                p[3]));
        return g;
    }

    @Test
    void batchNormAfterAQuantizedConvolutionFoldsIntoWeightScalesAndAnInt32Bias() {
        ModelProto m = OnnxExporter.export(quantizedConvBatchNorm(2f));
        java.util.List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        // (The Identity names the output after the Result.)
        assertEquals(java.util.List.of("QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "DequantizeLinear",
                "Conv", "Identity"), ops);
        // Factors gamma / sqrt(variance + epsilon) = 2/2 and 3/1: weight scales 0.5·1 and 0.25·3.
        float[] ws = initializer(m, "conv/weights_bn_dq/scale").floats();
        assertEquals(0.5f, ws[0], 1e-6f);
        assertEquals(0.75f, ws[1], 1e-6f);
        // Bias beta - mean·factor = 0.5 - 1 and -1 - 2·3, in steps of x_scale·w_scale = 0.005 and 0.0075.
        Tensor bias = initializer(m, "conv/bias/quantized");
        assertEquals(ElementType.I32, bias.type());
        assertEquals(-100, bias.getLong(0));
        assertEquals(Math.round(-7 / 0.0075), bias.getLong(1));
    }

    @Test
    void batchNormWithANegativeFactorStaysABatchNormalization() {
        java.util.List<String> ops = OnnxExporter.export(quantizedConvBatchNorm(-2f)).getGraph().getNodeList().stream()
                .map(NodeProto::getOpType).toList();
        assertEquals("BatchNormalization", ops.get(ops.size() - 2), ops.toString());
    }

    @Test
    void batchNormInferenceIsBatchNormalizationWithItsEpsilon() {
        Graph g = new Graph("bn");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 2, 4, 4)).output(0);
        Value[] params = new Value[4];
        for (int i = 0; i < 4; i++) {
            params[i] = g.addConstant("p" + i, Tensor.of(new float[] {1f + i, 2f + i}, 2)).output(0);
        }
        g.addResult("y", g.value(new dev.infero.core.ops.nn.BatchNormInference(1e-3), "bn", x, params[0],
                params[1], params[2], params[3]));
        NodeProto bn = OnnxExporter.export(g).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("BatchNormalization")).findFirst().orElseThrow();
        assertEquals(java.util.List.of("x", "p0", "p1", "p2", "p3"), bn.getInputList());
        assertEquals(1e-3f, bn.getAttributeList().stream().filter(a -> a.getName().equals("epsilon")).findFirst()
                .orElseThrow().getF(), 1e-9f);
    }

    @Test
    void unmappedOpsAreListedTogether() {
        Graph g = new Graph("trig");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(3)).output(0);
        g.addResult("y", g.value(new Cos(), "cos", g.value(new Sin(), "sin", x)));
        InferoException e = assertThrows(InferoException.class, () -> OnnxExporter.export(g));
        assertEquals("cannot export model 'trig' to ONNX: no mapping for Cos, Sin", e.getMessage());
    }
}
