package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IrRoundTripTest {
    @TempDir
    Path dir;

    /** x[?,4] + b, then * b again (same constant: stored once), Convert f16→f32 weights, reshaped to [-1,2,2]. */
    private static Graph sample() {
        Graph g = new Graph("sample");
        g.metadata().put("conversion_parameters/input_model", "sample.onnx");
        g.metadata().put("conversion_parameters/framework", "onnx");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(-1, 4)).output(0);
        x.names().add("x");
        Value b = g.addConstant("b", Tensor.of(new float[] {1, 2, 3, 4}, 4)).output(0);
        Value b2 = g.addConstant("b_again", Tensor.of(new float[] {1, 2, 3, 4}, 4)).output(0);
        Tensor half = Tensor.of(new float[] {0.5f, 0.25f, 2, 4}, 4).convertTo(ElementType.F16);
        Node decompress = g.add(new Convert(ElementType.F32), "w/decompress", g.addConstant("w", half).output(0));
        decompress.rtInfo().put("decompression", "");
        Value sum = g.value(new Add(), "add", x, b);
        Value prod = g.value(new Multiply(), "mul", sum, b2);
        Value scaled = g.value(new Multiply(), "scale", prod, decompress.output(0));
        Value shape = g.addConstant("shape", Tensor.vector(-1, 2, 2)).output(0);
        Value y = g.value(new Reshape(true), "reshape", scaled, shape);
        y.names().add("y");
        g.addResult("y", y).output(0).names().add("y");
        return g;
    }

    @Test
    void aWrittenIrReadsBackAsTheSameGraph() throws Exception {
        Graph original = sample();
        IrWriter.Written w = IrWriter.write(original, dir, "sample");
        // 16 bytes of b (b_again is the same bytes), 8 of f16 w, 24 of i64 shape.
        assertEquals(16 + 8 + 24, w.binBytes());
        Graph read = IrReader.read(w.xml());
        assertEquals(original.nodes().size(), read.nodes().size());
        for (int i = 0; i < original.nodes().size(); i++) {
            Node a = original.nodes().get(i);
            Node b = read.nodes().get(i);
            assertEquals(a.name(), b.name());
            assertEquals(a.op().toString(), b.op().toString());
            assertEquals(a.rtInfo(), b.rtInfo());
            for (int k = 0; k < a.outputs().size(); k++) {
                assertEquals(a.output(k).shape(), b.output(k).shape(), a.name());
                assertEquals(a.output(k).type(), b.output(k).type(), a.name());
                assertEquals(a.output(k).names(), b.output(k).names(), a.name());
            }
            if (a.op() instanceof Constant c) {
                assertTrue(c.value().contentEquals(((Constant) b.op()).value()), a.name());
            }
        }
        assertEquals("sample.onnx", read.metadata().get("conversion_parameters/input_model"));
    }

    @Test
    void theXmlFollowsTheIrV11Conventions() throws Exception {
        String xml = Files.readString(IrWriter.write(sample(), dir, "sample").xml());
        assertTrue(xml.contains("<net name=\"sample\" version=\"11\">"), xml);
        assertTrue(xml.contains("<layer id=\"0\" name=\"x\" type=\"Parameter\" version=\"opset1\">"), xml);
        assertTrue(xml.contains("<data shape=\"-1,4\" element_type=\"f32\"/>"), xml);
        assertTrue(xml.contains("<data element_type=\"f32\" shape=\"4\" offset=\"0\" size=\"16\"/>"), xml);
        assertTrue(xml.contains("<attribute name=\"decompression\" version=\"0\"/>"), xml);
        // Add: inputs are ports 0 and 1, its output is port 2; Result has only an input port.
        assertTrue(xml.contains("<edge from-layer=\"5\" from-port=\"2\" to-layer=\"6\" to-port=\"0\"/>"), xml);
        assertTrue(xml.contains("<port id=\"2\" precision=\"FP32\" names=\"y\">"), xml);
    }

    private Path irWith(String xml, byte[] bin) throws Exception {
        Path x = dir.resolve("m.xml");
        Files.writeString(x, xml);
        Files.write(dir.resolve("m.bin"), bin);
        return x;
    }

    private static String constNet(String offset, String size) {
        return """
                <?xml version="1.0"?>
                <net name="m" version="10">
                  <layers>
                    <layer id="0" name="c" type="Const" version="opset1">
                      <data element_type="f32" shape="2" offset="%s" size="%s"/>
                      <output><port id="0" precision="FP32"><dim>2</dim></port></output>
                    </layer>
                    <layer id="1" name="out" type="Result" version="opset1">
                      <input><port id="0"><dim>2</dim></port></input>
                    </layer>
                  </layers>
                  <edges><edge from-layer="0" from-port="0" to-layer="1" to-port="0"/></edges>
                </net>
                """.formatted(offset, size);
    }

    @Test
    void aConstantBeyondTheBinIsRejected() throws Exception {
        Path x = irWith(constNet("4", "8"), new byte[8]);
        InferoException e = assertThrows(InferoException.class, () -> IrReader.read(x));
        assertEquals("IR layer 'c' (id 0, Const) reads bytes [4, 4+8) but the .bin file has only 8 bytes", e.getMessage());
    }

    @Test
    void anOffsetThatWouldOverflowIsRejected() throws Exception {
        Path x = irWith(constNet("9223372036854775800", "16"), new byte[8]);
        assertTrue(assertThrows(InferoException.class, () -> IrReader.read(x)).getMessage().contains("has only 8 bytes"));
    }

    @Test
    void aConstantWhoseSizeDoesNotMatchItsShapeIsRejected() throws Exception {
        Path x = irWith(constNet("0", "4"), new byte[8]);
        assertTrue(assertThrows(InferoException.class, () -> IrReader.read(x)).getMessage()
                .contains("declares shape [2] of f32 (8 bytes) but holds 4 bytes"));
    }

    @Test
    void anEdgeToAMissingLayerIsRejected() throws Exception {
        Path x = irWith(constNet("0", "8").replace("to-layer=\"1\"", "to-layer=\"7\""), new byte[8]);
        assertEquals("IR edge 0:0 -> 7:0 refers to missing layer 7",
                assertThrows(InferoException.class, () -> IrReader.read(x)).getMessage());
    }

    @Test
    void unknownOpsAreListedTogether() throws Exception {
        String xml = constNet("0", "8").replace("type=\"Result\" version=\"opset1\"", "type=\"Frobnicate\" version=\"opset9\"");
        Path x = irWith(xml, new byte[8]);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> IrReader.read(x));
        assertEquals("the IR uses 1 unsupported op: Frobnicate (layer 'out' (id 1, Frobnicate))", e.getMessage());
    }

    @Test
    void otherIrVersionsAreRefused() throws Exception {
        Path x = irWith(constNet("0", "8").replace("version=\"10\"", "version=\"7\""), new byte[8]);
        assertTrue(assertThrows(UnsupportedModelException.class, () -> IrReader.read(x)).getMessage()
                .contains("is IR version 7; Infero reads IR versions 10 and 11"));
    }
}
