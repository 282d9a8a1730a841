package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

/**
 * If with a condition known at import becomes the branch it takes; the branch sees outer-scope values. Otherwise it
 * becomes an If op carrying both branches.
 */
class OnnxIfFoldingTest {
    private static GraphProto branch(String op, float constant) {
        return GraphProto.newBuilder().setName(op)
                .addInitializer(TensorProtos.toProto("k", Tensor.of(new float[] {constant}, 1)))
                .addNode(NodeProto.newBuilder().setOpType(op).addInput("x").addInput("k").addOutput("r"))
                .addOutput(ValueInfoProto.newBuilder().setName("r"))
                .build();
    }

    private static ModelProto model(String condInput) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("x", Tensor.of(new float[] {1, 2}, 2))
                .output("y", ElementType.F32);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder()
                .addInitializer(TensorProtos.toProto("yes", Tensor.allocate(ElementType.BOOLEAN, 1)))
                .addNode(NodeProto.newBuilder().setOpType("Not").setName("flip").addInput("yes").addOutput("no"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("choose").addInput(condInput).addOutput("y")
                        .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(branch("Add", 10)))
                        .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(branch("Mul", 10))));
        return m.build();
    }

    @Test
    void aConstantConditionSelectsItsBranch() {
        Graph no = OnnxImporter.importModel(model("yes"), null, "m"); // "yes" holds false
        assertArrayEquals(new float[] {10, 20}, no.results().get(0).input(0).knownValue().floats());
        Graph yes = OnnxImporter.importModel(model("no"), null, "m");
        assertArrayEquals(new float[] {11, 12}, yes.results().get(0).input(0).knownValue().floats());
    }

    @Test
    void aConditionOnlyKnownAtRunTimeBecomesAnIfWithBothBranches() {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18).input("c", ElementType.BOOLEAN)
                .initializer("x", Tensor.of(new float[] {1, 2}, 2)).output("y", ElementType.F32);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("If").setName("choose").addInput("c")
                .addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(branch("Add", 1)))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(branch("Mul", 3))));
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        Node choose = g.results().get(0).input(0).node();
        assertEquals("If", choose.type());
        // x is constant, so each branch holds its own copy: the condition is the only input
        assertEquals(1, choose.inputs().size());
        for (boolean c : new boolean[] {true, false}) {
            Tensor cond = Tensor.scalar(c);
            Tensor out = Tensor.allocate(ElementType.F32, 2);
            choose.op().evaluate(new Tensor[] {cond}, new Tensor[] {out});
            assertArrayEquals(c ? new float[] {2, 3} : new float[] {3, 6}, out.floats());
        }
    }
}
