package dev.infero.cli.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.testing.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole ONNX backend suite (node and simple cases), prints the per-op table and the summary line, writes
 * {@code target/conformance-report.md}, and fails on any failing case not listed in
 * {@code conformance-known-failures.txt} (and on listed cases that no longer fail, so the list stays true).
 * Unsupported cases do not fail the build: they are what is left to implement.
 */
class ConformanceSuiteTest {
    @Test
    void onnxBackendSuite() throws IOException {
        Path node = SharedData.require("conformance/onnx-node");
        Path simple = SharedData.require("conformance/onnx-simple");
        List<Path> cases = ConformanceRunner.findCases(List.of(node, simple), null);
        ConformanceRunner runner = ConformanceRunner.onCpu(Duration.ofSeconds(60), Tolerance.ONNX_RUNNER, false);
        ConformanceReport report = new ConformanceReport(runner.run(cases, r -> { }));

        report.printText(new PrintWriter(System.out, true, StandardCharsets.UTF_8), false);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/conformance-report.md"), report.markdown());

        Set<String> known = knownFailures();
        Set<String> failing = new LinkedHashSet<>();
        report.withOutcome(Outcome.FAILED).forEach(r -> failing.add(r.name()));
        List<String> unexpected = report.withOutcome(Outcome.FAILED).stream()
                .filter(r -> !known.contains(r.name())).map(r -> r.name() + ": " + r.reason()).toList();
        List<String> stale = known.stream().filter(k -> !failing.contains(k)).toList();
        assertTrue(unexpected.isEmpty(), () -> unexpected.size() + " conformance case(s) fail that are not in "
                + "conformance-known-failures.txt:\n  " + String.join("\n  ", unexpected));
        assertTrue(stale.isEmpty(), () -> "no longer failing, remove from conformance-known-failures.txt: " + stale);
    }

    /**
     * Every case that passes also passes after its imported model is written as OpenVINO IR and read back, with
     * bit-identical outputs (the round trip of the convert issue).
     */
    @Test
    void everyPassingCaseSurvivesAnIrRoundTrip() {
        Path node = SharedData.require("conformance/onnx-node");
        Path simple = SharedData.require("conformance/onnx-simple");
        List<Path> cases = ConformanceRunner.findCases(List.of(node, simple), null);
        List<CaseResult> direct = ConformanceRunner.onCpu(Duration.ofSeconds(60), Tolerance.ONNX_RUNNER, false)
                .run(cases, r -> { });
        List<Path> passing = direct.stream().filter(r -> r.outcome() == Outcome.PASSED)
                .map(r -> cases.stream().filter(c -> c.getFileName().toString().equals(r.name())).findFirst().orElseThrow())
                .toList();
        List<String> broken = ConformanceRunner.onCpu(Duration.ofSeconds(60), Tolerance.ONNX_RUNNER, true)
                .run(passing, r -> { }).stream().filter(r -> r.outcome() != Outcome.PASSED)
                .map(r -> r.name() + ": " + r.reason()).toList();
        System.out.println("IR round trip: " + (passing.size() - broken.size()) + " of " + passing.size()
                + " passing cases give identical results through IR");
        assertTrue(broken.isEmpty(), () -> broken.size() + " case(s) break through IR:\n  " + String.join("\n  ", broken));
    }

    /** Case names from the known-failures file: first word of each line, '#' starts a comment. */
    private static Set<String> knownFailures() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        try (InputStream in = ConformanceSuiteTest.class.getResourceAsStream("/conformance-known-failures.txt")) {
            if (in == null) {
                return names;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String entry = line.replaceFirst("#.*", "").trim();
                if (!entry.isEmpty()) {
                    names.add(entry.split("\\s+")[0]);
                }
            }
        }
        return names;
    }
}
