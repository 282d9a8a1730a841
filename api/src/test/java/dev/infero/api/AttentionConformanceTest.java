package dev.infero.api;

import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.testing.SharedData;
import dev.infero.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX backend conformance cases of Attention, RMSNormalization, Swish/SwiGLU, the losses and the integer
 * (quantized) linear ops through {@link Core#compileModel} and compares every output with the reference data;
 * integer outputs must match exactly.
 */
class AttentionConformanceTest {
    private static final List<String> PREFIXES = List.of("test_attention_", "test_rms_normalization", "test_swish",
            "test_swiglu", "test_nllloss_", "test_sce_", "test_dynamicquantizelinear", "test_matmulinteger",
            "test_convinteger", "test_qlinearmatmul", "test_qlinearconv");

    /** The function-body expansions are conformance cases of the ops they use, not of these ops. */
    private static final List<String> OUT_OF_SCOPE = List.of("_expanded");

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        Path root = SharedData.require("conformance/onnx-node");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(AttentionConformanceTest::isOwnCase).sorted().toList();
        }
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            try {
                run(dir);
            } catch (Throwable e) {
                throw new AssertionError(dir.getFileName() + ": " + e.getMessage(), e);
            }
        }));
    }

    private static boolean isOwnCase(Path dir) {
        String name = dir.getFileName().toString();
        return PREFIXES.stream().anyMatch(name::startsWith)
                && OUT_OF_SCOPE.stream().noneMatch(name::contains);
    }

    private static void run(Path dir) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(dir.resolve("model.onnx"), "CPU").createInferRequest();
            for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
                request.setInput(i, read(data.resolve("input_" + i + ".pb")));
            }
            request.infer();
            for (int i = 0; Files.exists(data.resolve("output_" + i + ".pb")); i++) {
                Tensor expected = read(data.resolve("output_" + i + ".pb"));
                Tensor actual = request.getOutput(i);
                if (expected.type() != actual.type()) {
                    throw new AssertionError("output " + i + " type: expected " + expected.type() + ", got "
                            + actual.type());
                }
                boolean exact = !expected.type().isFloating();
                TensorAssert.assertClose(expected, actual, exact ? 0 : 1e-3, exact ? 0 : 1e-7);
            }
        }
    }

    private static Tensor read(Path file) throws IOException {
        return TensorProtos.toTensor(TensorProto.parseFrom(Files.readAllBytes(file)));
    }
}
