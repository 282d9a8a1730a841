package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.FunctionProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import org.junit.jupiter.api.Test;

/** Model-local functions as PyTorch's dynamo exporter writes them, inlined at import. */
class OnnxFunctionsTest {
    private static final String DOMAIN = "pkg.test";

    /** {@code z = x + alpha * y}, alpha an attribute with default 1 (a Constant reading it by reference). */
    private static FunctionProto addScaled() {
        return FunctionProto.newBuilder().setName("AddScaled").setDomain(DOMAIN)
                .addInput("x").addInput("y").addOutput("z").addAttribute("alpha")
                .addAttributeProto(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(1))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                .addNode(NodeProto.newBuilder().setOpType("Constant").setName("a").addOutput("alpha_value")
                        .addAttribute(AttributeProto.newBuilder().setName("value_float")
                                .setType(AttributeProto.AttributeType.FLOAT).setRefAttrName("alpha")))
                .addNode(NodeProto.newBuilder().setOpType("Mul").setName("m").addInput("y").addInput("alpha_value")
                        .addOutput("t"))
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("s").addInput("x").addInput("t").addOutput("z"))
                .build();
    }

    /** {@code Twice(x) = AddScaled(x, x, alpha=2) = 3x} and a second output {@code AddScaled(x, x) = 2x}. */
    private static FunctionProto twice() {
        return FunctionProto.newBuilder().setName("Twice").setDomain(DOMAIN).addInput("x").addOutput("y").addOutput("w")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(DOMAIN).setVersion(1))
                .addNode(NodeProto.newBuilder().setOpType("AddScaled").setDomain(DOMAIN).setName("inner")
                        .addInput("x").addInput("x").addOutput("y")
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(2)))
                .addNode(NodeProto.newBuilder().setOpType("AddScaled").setDomain(DOMAIN).setName("plain")
                        .addInput("x").addInput("x").addOutput("w"))
                .build();
    }

    private static ModelProto model(FunctionProto... functions) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("x", Tensor.of(new float[] {1, -2, 4}, 3))
                .output("y", ElementType.F32).output("w", ElementType.F32);
        ModelProto m = b.build();
        ModelProto.Builder mb = m.toBuilder();
        mb.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Twice").setDomain(DOMAIN).setName("call")
                .addInput("x").addOutput("y").addOutput("w"));
        mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(DOMAIN).setVersion(1));
        for (FunctionProto f : functions) {
            mb.addFunctions(f);
        }
        return mb.build();
    }

    @Test
    void nestedFunctionsWithAttributeReferencesAndDefaultsAreInlined() {
        Graph g = OnnxImporter.importModel(model(twice(), addScaled()), null, "m");
        Tensor y = g.results().get(0).input(0).knownValue();
        Tensor w = g.results().get(1).input(0).knownValue();
        assertNotNull(y);
        assertArrayEquals(new float[] {3, -6, 12}, y.toFloatArray());
        assertArrayEquals(new float[] {2, -4, 8}, w.toFloatArray());
    }

    @Test
    void aMissingFunctionIsAnUnsupportedOpAndRecursionIsAnError() {
        InferoException e = assertThrows(InferoException.class,
                () -> OnnxImporter.importModel(model(twice()), null, "m"));
        assertTrue(e.getMessage().contains("pkg.test.AddScaled"), e.getMessage());
        FunctionProto loop = twice().toBuilder().setNode(0, twice().getNode(0).toBuilder().setOpType("Twice")
                .clearInput().addInput("x").clearOutput().addOutput("y").addOutput("unused")).build();
        e = assertThrows(InferoException.class, () -> OnnxImporter.importModel(model(loop, addScaled()), null, "m"));
        assertTrue(e.getMessage().contains("nest deeper"), e.getMessage());
    }
}
