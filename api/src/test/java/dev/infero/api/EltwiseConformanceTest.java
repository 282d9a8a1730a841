package dev.infero.api;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.TensorProtos;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.testing.SharedData;
import dev.infero.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX backend conformance cases of the element-wise operators (arithmetic, activations, comparisons,
 * logic, Where, Cast) through {@link Core#compileModel}. Cases using types Infero does not support (strings, 8-bit
 * and 4-bit floats, 2/4-bit integers) report as skipped, never as passed. A per-operator summary is printed at the end.
 */
class EltwiseConformanceTest {
    private static final List<String> OPS = List.of("relu", "leakyrelu", "prelu", "clip", "sigmoid", "tanh",
            "hardsigmoid", "hardswish", "elu", "selu", "celu", "softplus", "softsign", "mish", "gelu", "erf", "exp",
            "log", "sqrt", "abs", "neg", "reciprocal", "floor", "ceil", "round", "sign", "sin", "cos", "tan", "asin",
            "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "isnan", "isinf", "thresholdedrelu", "shrink",
            "not", "bitwise_not", "pow", "mod", "equal", "less", "less_equal", "greater", "greater_equal", "and",
            "or", "xor", "bitshift", "bitwise_and", "bitwise_or", "bitwise_xor", "add", "sub", "mul", "div", "max",
            "min", "sum", "mean", "where", "cast", "castlike");
    /** {@code test_<op>} followed by nothing, {@code _variant} or a digit ({@code test_and2d}); longest op wins. */
    private static final Pattern CASE = Pattern.compile("test_(" + String.join("|", OPS.stream()
            .sorted((a, b) -> b.length() - a.length()).toList()) + ")(?:[_0-9].*)?");
    private static final double RTOL = 1e-3;
    private static final double ATOL = 1e-5;

    /** op -> {passed, failed, unsupported}. */
    private static final Map<String, int[]> SUMMARY = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> conformanceCases() throws IOException {
        Path root = SharedData.require("conformance/onnx-node");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(d -> CASE.matcher(d.getFileName().toString()).matches()).sorted().toList();
        }
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    private static void run(Path dir) throws IOException {
        Matcher m = CASE.matcher(dir.getFileName().toString());
        m.matches();
        int[] counts = SUMMARY.computeIfAbsent(m.group(1), k -> new int[3]);
        try {
            check(dir);
            counts[0]++;
        } catch (UnsupportedModelException e) {
            counts[2]++;
            Assumptions.abort("unsupported: " + e.getMessage());
        } catch (Throwable e) {
            counts[1]++;
            throw e;
        }
    }

    private static void check(Path dir) throws IOException {
        try (Core core = new Core(); CompiledModel model = core.compileModel(dir.resolve("model.onnx"), "CPU")) {
            try (Stream<Path> sets = Files.list(dir)) {
                for (Path set : sets.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted()
                        .toList()) {
                    InferRequest request = model.createInferRequest();
                    for (int i = 0; i < model.inputs().size(); i++) {
                        request.setInput(i, read(set.resolve("input_" + i + ".pb")));
                    }
                    request.infer();
                    for (int i = 0; i < model.outputs().size(); i++) {
                        Tensor expected = read(set.resolve("output_" + i + ".pb"));
                        TensorAssert.assertClose(expected, request.getOutput(i), RTOL, ATOL);
                        if (expected.type() != request.getOutput(i).type()) {
                            throw new AssertionError("output " + i + " type: expected " + expected.type() + ", got "
                                    + request.getOutput(i).type());
                        }
                    }
                }
            }
        }
    }

    private static Tensor read(Path file) throws IOException {
        return TensorProtos.toTensor(TensorProto.parseFrom(Files.readAllBytes(file)));
    }

    @AfterAll
    static void printSummary() {
        StringBuilder sb = new StringBuilder("Element-wise conformance (passed/failed/unsupported):\n");
        int[] total = new int[3];
        SUMMARY.forEach((op, c) -> {
            sb.append(String.format("  %-16s %3d %3d %3d%n", op, c[0], c[1], c[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        });
        sb.append(String.format("  %-16s %3d %3d %3d%n", "TOTAL", total[0], total[1], total[2]));
        System.out.print(sb);
    }
}
