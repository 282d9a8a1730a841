package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.FunctionProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import dev.infero.testing.RandomData;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model shaped like a current PyTorch export ({@code torch.onnx.export(..., dynamo=True)}): the graph calls
 * model-local functions of its own domain (one per module, with an attribute passed by reference, one calling
 * another), each function importing its own opsets, and the head stacks a Python list with SequenceConstruct and
 * ConcatFromSequence. Infero inlines the functions at import and matches ONNX Runtime, at two input sizes.
 */
class DynamoStyleExportOrtTest {
    private static final String LOCAL = "pkg.torch.module";

    @TempDir
    Path dir;

    private static OperatorSetIdProto opset(String domain, int version) {
        return OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version).build();
    }

    private static NodeProto.Builder node(String op, String name, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out);
    }

    /** ConvBlock(x, w; alpha) = LeakyRelu(Conv(x, w, pads 1), alpha), alpha read by reference. */
    private static FunctionProto convBlock() {
        return FunctionProto.newBuilder().setName("ConvBlock").setDomain(LOCAL).addInput("x").addInput("w")
                .addOutput("y").addAttribute("alpha").addOpsetImport(opset("", 18))
                .addNode(node("Conv", "conv", List.of("x", "w"), List.of("c"))
                        .addAttribute(AttributeProto.newBuilder().setName("pads").setType(AttributeProto.AttributeType.INTS)
                                .addAllInts(List.of(1L, 1L, 1L, 1L))))
                .addNode(node("LeakyRelu", "act", List.of("c"), List.of("y"))
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT)
                                .setRefAttrName("alpha")))
                .build();
    }

    /** Pool(x) = ReduceMean over H and W (opset 18: the axes are an input). */
    private static FunctionProto pool() {
        return FunctionProto.newBuilder().setName("Pool").setDomain(LOCAL).addInput("x").addOutput("p")
                .addOpsetImport(opset("", 18))
                .addNode(node("Constant", "axes", List.of(), List.of("axes"))
                        .addAttribute(AttributeProto.newBuilder().setName("value_ints").setType(AttributeProto.AttributeType.INTS)
                                .addAllInts(List.of(2L, 3L))))
                .addNode(node("ReduceMean", "mean", List.of("x", "axes"), List.of("p"))
                        .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT)
                                .setI(0)))
                .build();
    }

    /** Head(x) = stack([Pool(x), 2·Pool(x)], dim=1), calling Pool of its own domain. */
    private static FunctionProto head() {
        return FunctionProto.newBuilder().setName("Head").setDomain(LOCAL).addInput("x").addOutput("h")
                .addOpsetImport(opset("", 18)).addOpsetImport(opset(LOCAL, 1))
                .addNode(node("Pool", "pool", List.of("x"), List.of("p")).setDomain(LOCAL))
                .addNode(node("Add", "twice", List.of("p", "p"), List.of("p2")))
                .addNode(node("SequenceConstruct", "list", List.of("p", "p2"), List.of("seq")))
                .addNode(node("ConcatFromSequence", "stack", List.of("seq"), List.of("h"))
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1))
                        .addAttribute(AttributeProto.newBuilder().setName("new_axis").setType(AttributeProto.AttributeType.INT)
                                .setI(1)))
                .build();
    }

    private Path model() throws Exception {
        Random random = new Random(11);
        float[] w = RandomData.uniform(random, 4 * 3 * 3 * 3);
        for (int i = 0; i < w.length; i++) {
            w[i] -= 0.5f;
        }
        ModelProto.Builder m = new OnnxModelBuilder("dynamo", 18).input("x", ElementType.F32, 1, 3, -1, -1)
                .output("h", ElementType.F32).build().toBuilder();
        m.getGraphBuilder().addInitializer(TensorProtos.toProto("weight", Tensor.of(w, 4, 3, 3, 3)))
                .addNode(node("ConvBlock", "block1", List.of("x", "weight"), List.of("f")).setDomain(LOCAL)
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT)
                                .setF(0.2f)))
                .addNode(node("Head", "head", List.of("f"), List.of("h")).setDomain(LOCAL));
        m.addOpsetImport(opset(LOCAL, 1)).addFunctions(convBlock()).addFunctions(pool()).addFunctions(head());
        Path file = dir.resolve("dynamo.onnx");
        Files.write(file, m.build().toByteArray());
        return file;
    }

    @Test
    void localFunctionsAndAStackedListMatchOnnxRuntime() throws Exception {
        Path file = model();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (Core core = new Core(); CompiledModel ours = core.compileModel(file, "CPU");
             OrtSession theirs = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int size : new int[] {8, 13}) {
                float[] x = RandomData.uniform(new Random(size), 3 * size * size);
                InferRequest r = ours.createInferRequest();
                r.setInput(0, Tensor.of(x, 1, 3, size, size));
                r.infer();
                Tensor y = r.getOutput(0);
                assertArrayEquals(new int[] {1, 2, 4}, y.shape());
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, size, size});
                     OrtSession.Result res = theirs.run(Map.of("x", t))) {
                    OnnxTensor h = (OnnxTensor) res.get(0);
                    float[] want = new float[8];
                    h.getFloatBuffer().get(want);
                    float[] got = y.toFloatArray();
                    for (int i = 0; i < 8; i++) {
                        assertEquals(want[i], got[i], 1e-5 + 1e-4 * Math.abs(want[i]), "size " + size + ", element " + i);
                    }
                    // the second list item is twice the first
                    assertEquals(2 * got[0], got[4], 1e-6);
                }
            }
        }
    }
}
