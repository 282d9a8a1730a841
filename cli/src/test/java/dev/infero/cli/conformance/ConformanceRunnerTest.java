package dev.infero.cli.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cli.Main;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.TensorProtos;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classification of conformance cases, on tiny cases written in the ONNX backend-test layout. */
class ConformanceRunnerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ConformanceRunner runner = ConformanceRunner.onCpu(TIMEOUT, Tolerance.ONNX_RUNNER, false);

    /** y = a + b on f32[2]: a=[1,2], b=[10,20]; the expected output is given by the caller. */
    private Path addCase(String name, Tensor expected) throws IOException {
        Path c = dir.resolve(name);
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17)
                .input("a", ElementType.F32, 2).input("b", ElementType.F32, 2).output("y", ElementType.F32, 2);
        b.node("Add", "add").inputs("a", "b").outputs("y");
        b.write(c.resolve("model.onnx"));
        writeDataSet(c, 0, List.of(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {10, 20}, 2)),
                List.of(expected));
        return c;
    }

    private static void writeDataSet(Path caseDir, int index, List<Tensor> inputs, List<Tensor> outputs)
            throws IOException {
        Path set = Files.createDirectories(caseDir.resolve("test_data_set_" + index));
        for (int i = 0; i < inputs.size(); i++) {
            Files.write(set.resolve("input_" + i + ".pb"), TensorProtos.toProto("in" + i, inputs.get(i)).toByteArray());
        }
        for (int i = 0; i < outputs.size(); i++) {
            Files.write(set.resolve("output_" + i + ".pb"),
                    TensorProtos.toProto("out" + i, outputs.get(i)).toByteArray());
        }
    }

    @Test
    void correctOutputPasses() throws IOException {
        CaseResult r = runner.run(addCase("test_add_ok", Tensor.of(new float[] {11, 22}, 2)));
        assertEquals(Outcome.PASSED, r.outcome(), r.reason());
        assertEquals("Add", r.op());
        assertEquals("test_add_ok", r.name());
    }

    @Test
    void everyDataSetIsChecked() throws IOException {
        Path c = addCase("test_add_two_sets", Tensor.of(new float[] {11, 22}, 2));
        writeDataSet(c, 1, List.of(Tensor.of(new float[] {0, 0}, 2), Tensor.of(new float[] {1, 1}, 2)),
                List.of(Tensor.of(new float[] {1, 5}, 2)));
        CaseResult r = runner.run(c);
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().startsWith("wrong answer: test_data_set_1, output 0 'y'"), r.reason());
    }

    @Test
    void wrongValueFailsWithTheWorstElement() throws IOException {
        CaseResult r = runner.run(addCase("test_add_wrong", Tensor.of(new float[] {11, 23}, 2)));
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("wrong answer: test_data_set_0, output 0 'y': 1 of 2 values differ beyond rtol 0.001, "
                + "atol 1.0E-7; worst at [1]: got 22.0, expected 23.0", r.reason());
    }

    @Test
    void differenceWithinTheRunnersToleranceIsAPass() throws IOException {
        CaseResult r = runner.run(addCase("test_add_close", Tensor.of(new float[] {11.01f, 22}, 2)));
        assertEquals(Outcome.PASSED, r.outcome(), r.reason());
    }

    @Test
    void wrongTypeFails() throws IOException {
        CaseResult r = runner.run(addCase("test_add_type", Tensor.of(new double[] {11, 22}, 2)));
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().endsWith("type f32, expected f64"), r.reason());
    }

    @Test
    void wrongShapeFails() throws IOException {
        CaseResult r = runner.run(addCase("test_add_shape", Tensor.of(new float[] {11, 22}, 1, 2)));
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().endsWith("shape [2], expected [1,2]"), r.reason());
    }

    @Test
    void missingExpectedOutputCountFails() throws IOException {
        Path c = addCase("test_add_outputs", Tensor.of(new float[] {11, 22}, 2));
        Files.write(c.resolve("test_data_set_0/output_1.pb"),
                TensorProtos.toProto("extra", Tensor.of(new float[] {1}, 1)).toByteArray());
        CaseResult r = runner.run(c);
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().contains("expects 2 outputs but the model has 1"), r.reason());
    }

    @Test
    void unknownOperatorIsUnsupportedWithTheImportersReason() throws IOException {
        Path c = dir.resolve("test_no_such_op");
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17).input("x", ElementType.F32, 2).output("y", ElementType.F32, 2);
        b.node("InferoNoSuchOp", "n").inputs("x").outputs("y");
        b.write(c.resolve("model.onnx"));
        writeDataSet(c, 0, List.of(Tensor.of(new float[] {1, 2}, 2)), List.of(Tensor.of(new float[] {1, 2}, 2)));
        CaseResult r = runner.run(c);
        assertEquals(Outcome.UNSUPPORTED, r.outcome());
        assertEquals("InferoNoSuchOp", r.op());
        assertTrue(r.reason().contains("InferoNoSuchOp (node 'n')"), r.reason());
    }

    @Test
    void unexpectedExceptionIsACrash() {
        ConformanceRunner crashing = new ConformanceRunner(TIMEOUT, caseDir -> {
            throw new ArrayIndexOutOfBoundsException("Index 4 out of bounds for length 4");
        });
        CaseResult r = crashing.run(dir.resolve("test_crash"));
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.reason().startsWith("crash: java.lang.ArrayIndexOutOfBoundsException: Index 4 out of bounds"),
                r.reason());
    }

    @Test
    void stackOverflowIsACrash() {
        ConformanceRunner overflowing = new ConformanceRunner(TIMEOUT, caseDir -> recurse(0));
        CaseResult r = overflowing.run(dir.resolve("test_deep"));
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("crash: java.lang.StackOverflowError", r.reason());
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void inferoExceptionCausedByABugIsACrashNotUnsupported() {
        ConformanceRunner wrapping = new ConformanceRunner(TIMEOUT, caseDir -> {
            throw new InferoException("kernel failed", new NullPointerException("weights"));
        });
        CaseResult r = wrapping.run(dir.resolve("test_wrapped"));
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("crash: kernel failed", r.reason());
    }

    @Test
    void translatorCrashReportedByTheImporterIsACrash() {
        assertEquals(Outcome.FAILED, ConformanceRunner.classify(new InferoException(
                "ONNX node 'n' (Conv): cannot translate: java.lang.NullPointerException")));
        assertEquals(Outcome.UNSUPPORTED, ConformanceRunner.classify(new InferoException("Conv: group must divide C")));
    }

    @Test
    void stuckCaseTimesOutAndTheNextCaseStillRuns() throws IOException {
        CountDownLatch never = new CountDownLatch(1);
        Path ok = addCase("test_add_after_stuck", Tensor.of(new float[] {11, 22}, 2));
        CaseCheck real = new InferoCaseCheck(Tolerance.ONNX_RUNNER, false);
        ConformanceRunner r = new ConformanceRunner(Duration.ofMillis(300), caseDir -> {
            if (caseDir.getFileName().toString().equals("test_stuck")) {
                while (true) { // ignores interrupts, as a kernel in an endless loop would
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // keep hanging
                    }
                }
            }
            real.check(caseDir);
        });
        List<CaseResult> results = r.run(List.of(dir.resolve("test_stuck"), ok), x -> { });
        assertEquals(Outcome.FAILED, results.get(0).outcome());
        assertEquals("timeout: still running after 300 ms", results.get(0).reason());
        assertEquals(Outcome.PASSED, results.get(1).outcome(), results.get(1).reason());
    }

    @Test
    void commandPrintsTableFailuresAndSummaryLastAndExitsOneOnFailure() throws IOException {
        addCase("test_add_ok", Tensor.of(new float[] {11, 22}, 2));
        addCase("test_add_wrong", Tensor.of(new float[] {11, 23}, 2));
        Path report = dir.resolve("out/report.md");
        Path json = dir.resolve("out/report.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "conformance", dir.toString(),
                "--report", report.toString(), "--json", json.toString());
        assertEquals(1, code);
        String[] lines = out.toString().strip().split("\\R");
        assertEquals("conformance: 1 passed, 1 failed, 0 unsupported", lines[lines.length - 1]);
        assertTrue(out.toString().contains("Add         1       1            0"), out.toString());
        assertTrue(out.toString().contains("  test_add_wrong [Add]: wrong answer: "), out.toString());
        assertTrue(err.toString().contains("conformance: 2/2 cases"), err.toString());
        String md = Files.readString(report);
        assertTrue(md.contains("| Add | 1 | 1 | 0 |"), md);
        assertTrue(md.contains("| test_add_wrong | Add | wrong answer: "), md);
        var root = new com.fasterxml.jackson.databind.json.JsonMapper().readTree(json.toFile());
        assertEquals(1, root.get("failed").asInt());
        var wrong = root.get("cases").get(1);
        assertEquals(List.of("test_add_wrong", "Add", "failed"),
                List.of(wrong.get("name").asText(), wrong.get("op").asText(), wrong.get("outcome").asText()));
    }

    @Test
    void commandExitsZeroWithoutFailuresAndHonoursTheFilter() throws IOException {
        addCase("test_add_ok", Tensor.of(new float[] {11, 22}, 2));
        addCase("test_add_wrong", Tensor.of(new float[] {11, 23}, 2));
        StringWriter out = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "conformance",
                dir.toString(), "--filter", "_ok$");
        assertEquals(0, code);
        assertTrue(out.toString().strip().endsWith("conformance: 1 passed, 0 failed, 0 unsupported"));
    }

    @Test
    void commandWithNoCasesIsAnError() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "conformance",
                dir.toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: no conformance cases"), err.toString());
    }
}
