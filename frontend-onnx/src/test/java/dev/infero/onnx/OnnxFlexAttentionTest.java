package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

/** ai.onnx.preview FlexAttention with grouped heads and score/probability subgraphs, on constants that fold. */
class OnnxFlexAttentionTest {
    /** A subgraph x → x·factor (its names clash with the outer graph's on purpose: they stay in their own scope). */
    private static GraphProto scaleBy(String input, float factor) {
        return GraphProto.newBuilder().setName("mod").addInput(ValueInfoProto.newBuilder().setName(input))
                .addInitializer(TensorProtos.toProto("factor", Tensor.scalar(factor)))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput(input).addInput("factor").addOutput("Y"))
                .addOutput(ValueInfoProto.newBuilder().setName("Y")).build();
    }

    private static Value run(GraphProto scoreMod, GraphProto probMod) {
        // two query heads share one key/value head; keys differ, so scores differ unless score_mod flattens them
        OnnxModelBuilder b = new OnnxModelBuilder("m", 26)
                .initializer("Q", Tensor.of(new float[] {1, 0, 0, 1}, 1, 2, 1, 2))
                .initializer("K", Tensor.of(new float[] {4, 0, 0, 4}, 1, 1, 2, 2))
                .initializer("V", Tensor.of(new float[] {1, 10, 3, 30}, 1, 1, 2, 2))
                .output("Y", ElementType.F32);
        ModelProto.Builder m = b.build().toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.preview").setVersion(1));
        NodeProto.Builder flex = NodeProto.newBuilder().setOpType("FlexAttention").setDomain("ai.onnx.preview")
                .setName("flex").addInput("Q").addInput("K").addInput("V").addOutput("Y");
        if (scoreMod != null) {
            flex.addAttribute(AttributeProto.newBuilder().setName("score_mod")
                    .setType(AttributeProto.AttributeType.GRAPH).setG(scoreMod));
        }
        if (probMod != null) {
            flex.addAttribute(AttributeProto.newBuilder().setName("prob_mod")
                    .setType(AttributeProto.AttributeType.GRAPH).setG(probMod));
        }
        m.getGraphBuilder().addNode(flex);
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        return g.results().get(0).input(0);
    }

    @Test
    void scoresAreScaledByOneOverRootHeadSizeAndHeadsShareTheirGroupsKeys() {
        Value y = run(null, null);
        assertEquals(PartialShape.of(1, 2, 1, 2), y.shape());
        // head 0: scores (4, 0)/√2 → weights (p, 1 − p) with p = σ(4/√2); head 1 the other way round
        double p = 1 / (1 + Math.exp(-4 / Math.sqrt(2)));
        float[] expected = {(float) (p + 3 * (1 - p)), (float) (10 * p + 30 * (1 - p)),
                (float) ((1 - p) + 3 * p), (float) (10 * (1 - p) + 30 * p)};
        float[] actual = y.knownValue().toFloatArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "element " + i);
        }
    }

    @Test
    void scoreAndProbabilitySubgraphsRunInTheirOwnScope() {
        // score_mod ·0 gives equal weights; prob_mod ·2 doubles the mean of the values
        Value y = run(scaleBy("Q", 0f), scaleBy("scores", 2f));
        assertArrayEquals(new float[] {4, 40, 4, 40}, y.knownValue().toFloatArray());
    }
}
