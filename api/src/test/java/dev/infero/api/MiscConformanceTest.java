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
 * Runs the ONNX backend conformance cases of the miscellaneous ops (GridSample, DFT, windows, Unique, RNNs, ...)
 * through {@link Core#compileModel} and compares every output with the reference data.
 */
class MiscConformanceTest {
    private static final List<String> PREFIXES = List.of("test_gridsample", "test_affine_grid", "test_dft",
            "test_stft", "test_hannwindow", "test_hammingwindow", "test_blackmanwindow", "test_cumprod",
            "test_eyelike", "test_compress", "test_det_", "test_reversesequence", "test_center_crop_pad",
            "test_unique", "test_col2im", "test_maxunpool", "test_roialign", "test_tensorscatter", "test_rnn",
            "test_simple_rnn", "test_gru", "test_lstm");

    /**
     * Expanded forms are ONNX function bodies built from other ops (If subgraphs for AffineGrid). RNN, GRU, LSTM,
     * RoiAlign and STFT are not imported yet (their cases report "unsupported operator").
     */
    private static final List<String> OUT_OF_SCOPE = List.of("_expanded", "test_rnn", "test_simple_rnn", "test_gru",
            "test_lstm", "test_roialign", "test_stft");

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        Path root = SharedData.require("conformance/onnx-node");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(MiscConformanceTest::isMiscCase).sorted().toList();
        }
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            try {
                run(dir);
            } catch (Throwable e) {
                throw new AssertionError(dir.getFileName() + ": " + e.getMessage(), e);
            }
        }));
    }

    private static boolean isMiscCase(Path dir) {
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
