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
 * Runs the ONNX backend conformance cases of the reductions, softmax family and normalizations (and ConvTranspose,
 * Einsum, LpPool) through {@link Core#compileModel} and compares every output with the reference data.
 */
class NormalizationConformanceTest {
    private static final List<String> PREFIXES = List.of("test_reduce_", "test_softmax", "test_logsoftmax",
            "test_hardmax", "test_lrn", "test_instancenorm", "test_mvn", "test_layer_normalization",
            "test_group_normalization", "test_lpnormalization", "test_convtranspose", "test_einsum", "test_lppool");

    /** Cases of features not supported yet: Einsum, and LpPool with dilations (AvgPool has none). */
    private static final List<String> OUT_OF_SCOPE = List.of("test_einsum", "test_lppool_2d_dilations");

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        Path root = SharedData.require("conformance/onnx-node");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(NormalizationConformanceTest::isNormalizationCase).sorted().toList();
        }
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            try {
                run(dir);
            } catch (Throwable e) {
                throw new AssertionError(dir.getFileName() + ": " + e.getMessage(), e);
            }
        }));
    }

    private static boolean isNormalizationCase(Path dir) {
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
                TensorAssert.assertClose(expected, actual, 1e-3, 1e-5);
            }
        }
    }

    private static Tensor read(Path file) throws IOException {
        return TensorProtos.toTensor(TensorProto.parseFrom(Files.readAllBytes(file)));
    }
}
