package dev.infero.api;

import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.testing.SharedData;
import dev.infero.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX node conformance cases of the selection, image and quantization ops (arg-max/min, top-k, NMS,
 * gather/scatter, one-hot, trilu, cumsum, resize, quantize/dequantize) end to end on the CPU device.
 */
class SelectionConformanceTest {
    private static final List<String> PREFIXES = List.of("test_top_k", "test_argmax", "test_argmin",
            "test_nonmaxsuppression", "test_nonzero", "test_gatherelements", "test_gather_elements", "test_gathernd",
            "test_scatter", "test_onehot", "test_tril", "test_triu", "test_cumsum", "test_resize", "test_upsample",
            "test_quantizelinear", "test_dequantizelinear");

    /** Cases whose tensors use element types Infero does not have: float8, float4, 4-bit and 2-bit integers. */
    private static final List<String> UNSUPPORTED = List.of(
            "test_dequantizelinear_e4m3fn", "test_dequantizelinear_e4m3fn_float16",
            "test_dequantizelinear_e4m3fn_zero_point", "test_dequantizelinear_e5m2", "test_dequantizelinear_float4e2m1",
            "test_dequantizelinear_int2", "test_dequantizelinear_int4", "test_dequantizelinear_uint2",
            "test_dequantizelinear_uint4", "test_quantizelinear_e4m3fn", "test_quantizelinear_e5m2",
            "test_quantizelinear_float4e2m1", "test_quantizelinear_int2", "test_quantizelinear_int4",
            "test_quantizelinear_uint2", "test_quantizelinear_uint4");

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        Path root = SharedData.require("conformance/onnx-node");
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> PREFIXES.stream().anyMatch(p -> d.getFileName().toString().startsWith(p)))
                    .filter(d -> !UNSUPPORTED.contains(d.getFileName().toString()))
                    .sorted().forEach(cases::add);
        }
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    private static void run(Path dir) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(dir.resolve("model.onnx"), "CPU").createInferRequest();
            for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
                TensorProto p = TensorProto.parseFrom(Files.readAllBytes(data.resolve("input_" + i + ".pb")));
                request.setInput(i, TensorProtos.toTensor(p));
            }
            request.infer();
            for (int i = 0; Files.exists(data.resolve("output_" + i + ".pb")); i++) {
                TensorProto p = TensorProto.parseFrom(Files.readAllBytes(data.resolve("output_" + i + ".pb")));
                Tensor expected = TensorProtos.toTensor(p);
                Tensor actual = request.getOutput(i);
                if (actual.type() != expected.type()) {
                    throw new AssertionError("output " + i + ": expected " + expected.type() + ", got " + actual.type());
                }
                TensorAssert.assertClose(expected, actual, 1e-3, 1e-5);
            }
        }
    }
}
