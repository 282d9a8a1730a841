package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.control.Loop;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

/** ONNX Loop and Scan become Loop and TensorIterator; bodies read outer values through captured parameters. */
class OnnxControlFlowTest {
    /** Loop body (iter, cond_in, v) → (cond_in, v·k, v): k comes from the enclosing graph. */
    private static GraphProto loopBody() {
        return GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("iter"))
                .addInput(ValueInfoProto.newBuilder().setName("cond_in"))
                .addInput(ValueInfoProto.newBuilder().setName("v"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("cond_in").addOutput("cond_out"))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("v").addInput("k").addOutput("v_out"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("v").addOutput("scan"))
                .addOutput(ValueInfoProto.newBuilder().setName("cond_out"))
                .addOutput(ValueInfoProto.newBuilder().setName("v_out"))
                .addOutput(ValueInfoProto.newBuilder().setName("scan"))
                .build();
    }

    private static Graph loop(boolean kIsInput) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("m", Tensor.scalar(3L))
                .initializer("v0", Tensor.of(new float[] {1, 2}, 2))
                .output("v_final", ElementType.F32).output("stacked", ElementType.F32);
        if (kIsInput) {
            b.input("k", ElementType.F32, 2);
        } else {
            b.initializer("k", Tensor.of(new float[] {2, 3}, 2));
        }
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Loop").setName("loop").addInput("m")
                .addInput("").addInput("v0").addOutput("v_final").addOutput("stacked")
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(loopBody())));
        return OnnxImporter.importModel(m.build(), null, "m");
    }

    @Test
    void loopCarriesValuesAndStacksScanOutputs() {
        Graph g = loop(false);
        // v: [1,2] → [2,6] → [4,18] → [8,54]; the scan output stacks v before each step
        assertArrayEquals(new float[] {8, 54}, g.results().get(0).input(0).knownValue().toFloatArray());
        Value stacked = g.results().get(1).input(0);
        assertEquals(PartialShape.of(3, 2), stacked.shape());
        assertArrayEquals(new float[] {1, 2, 2, 6, 4, 18}, stacked.knownValue().toFloatArray());
    }

    @Test
    void anOuterValueKnownOnlyAtRunTimeBecomesALoopInput() {
        Graph g = loop(true);
        Node loop = g.results().get(0).input(0).node();
        Loop op = (Loop) loop.op();
        // trip count, condition, v0, then the captured k feeding the body's fourth parameter
        assertEquals(4, loop.inputs().size());
        assertEquals("k", loop.input(3).displayName());
        assertEquals(4, op.body().graph().parameters().size());
        Tensor cond = Tensor.scalar(true);
        Tensor last = Tensor.allocate(ElementType.F32, 2);
        Tensor stacked = Tensor.allocate(ElementType.F32, 3, 2);
        op.evaluate(new Tensor[] {Tensor.scalar(3L), cond, Tensor.of(new float[] {1, 2}, 2),
                Tensor.of(new float[] {2, 3}, 2)}, new Tensor[] {last, stacked});
        assertArrayEquals(new float[] {8, 54}, last.floats());
    }

    @Test
    void scanSlicesInReverseAndStacksOnTheOutputAxis() {
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("sum"))
                .addInput(ValueInfoProto.newBuilder().setName("row"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("sum").addInput("row").addOutput("next"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("next").addOutput("seen"))
                .addOutput(ValueInfoProto.newBuilder().setName("next"))
                .addOutput(ValueInfoProto.newBuilder().setName("seen"))
                .build();
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("zero", Tensor.of(new float[] {0, 0}, 2))
                .initializer("rows", Tensor.of(new float[] {1, 2, 10, 20, 100, 200}, 3, 2))
                .output("total", ElementType.F32).output("partial", ElementType.F32);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Scan").setName("scan").addInput("zero")
                .addInput("rows").addOutput("total").addOutput("partial")
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body))
                .addAttribute(OnnxNode.attribute("num_scan_inputs", 1L))
                .addAttribute(OnnxNode.attribute("scan_input_directions", new long[] {1}))
                .addAttribute(OnnxNode.attribute("scan_output_axes", new long[] {1})));
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        assertArrayEquals(new float[] {111, 222}, g.results().get(0).input(0).knownValue().toFloatArray());
        Value partial = g.results().get(1).input(0);
        // rows read last first: 100, 110, 111 (and 200, 220, 222), stacked along axis 1
        assertEquals(PartialShape.of(2, 3), partial.shape());
        assertArrayEquals(new float[] {100, 110, 111, 200, 220, 222}, partial.knownValue().toFloatArray());
    }

    @Test
    void opset8ScanRunsOnceForEachBatchEntry() {
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("sum"))
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("sum").addInput("x").addOutput("next"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("next").addOutput("seen"))
                .addOutput(ValueInfoProto.newBuilder().setName("next"))
                .addOutput(ValueInfoProto.newBuilder().setName("seen"))
                .build();
        OnnxModelBuilder b = new OnnxModelBuilder("m", 8)
                .initializer("zero", Tensor.of(new float[] {0, 1000}, 2, 1))
                .initializer("xs", Tensor.of(new float[] {1, 2, 3, 10, 20, 30}, 2, 3, 1))
                .output("total", ElementType.F32).output("partial", ElementType.F32);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Scan").setName("scan").addInput("")
                .addInput("zero").addInput("xs").addOutput("total").addOutput("partial")
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body))
                .addAttribute(OnnxNode.attribute("num_scan_inputs", 1L))
                .addAttribute(OnnxNode.attribute("directions", new long[] {1})));
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        // batch axis first; each entry scans its own sequence, here from the end
        assertArrayEquals(new float[] {6, 1060}, g.results().get(0).input(0).knownValue().toFloatArray());
        Value partial = g.results().get(1).input(0);
        assertEquals(PartialShape.of(2, 3, 1), partial.shape());
        assertArrayEquals(new float[] {3, 5, 6, 1030, 1050, 1060}, partial.knownValue().toFloatArray());
    }
}
