package dev.infero.cli;

import dev.infero.cli.conformance.CaseResult;
import dev.infero.cli.conformance.ConformanceReport;
import dev.infero.cli.conformance.ConformanceRunner;
import dev.infero.cli.conformance.Outcome;
import dev.infero.cli.conformance.Tolerance;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code infero conformance DIR...}: runs ONNX backend-test cases and reports passed/failed/unsupported per op. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run ONNX backend-test cases (model.onnx + test_data_set_*/input_N.pb, output_N.pb) on the CPU "
                + "and compare with the reference outputs.",
            "A case passes when every output matches; fails on a wrong value, type or shape, a crash or a timeout; "
                + "is unsupported when Infero refuses it with a clear error. Exit code 0 when nothing failed."})
final class ConformanceCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "A case folder, or a folder of case folders (e.g. onnx/backend/test/data/node).")
    List<Path> dirs;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Only cases whose name contains a match.")
    String filter;

    @Option(names = "--report", paramLabel = "FILE.md",
            description = "Write a markdown report: per-op table and every failed or unsupported case with its reason.")
    Path report;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every case's result as JSON.")
    Path json;

    @Option(names = "--timeout-seconds", paramLabel = "N", defaultValue = "60",
            description = "Time limit per case; a case over it fails (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--rtol", paramLabel = "R", defaultValue = "1e-3",
            description = "Relative tolerance for floating outputs (default: ${DEFAULT-VALUE}, as the ONNX runner).")
    double rtol;

    @Option(names = "--atol", paramLabel = "A", defaultValue = "1e-7",
            description = "Absolute tolerance for floating outputs (default: ${DEFAULT-VALUE}, as the ONNX runner).")
    double atol;

    @Option(names = "--through-ir", description = "Also write each imported model as OpenVINO IR, read it back and "
            + "require identical results.")
    boolean throughIr;

    @Option(names = "--verbose", description = "Print each case as it finishes, and list unsupported cases too.")
    boolean verbose;

    @Override
    public Integer call() {
        if (timeoutSeconds <= 0) {
            throw new InferoException("--timeout-seconds must be positive, got " + timeoutSeconds);
        }
        Pattern pattern = compile(filter);
        List<Path> cases = ConformanceRunner.findCases(dirs, pattern);
        if (cases.isEmpty()) {
            throw new InferoException("no conformance cases (folders with model.onnx) in " + dirs
                    + (filter == null ? "" : " matching '" + filter + "'"));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConformanceRunner runner = ConformanceRunner.onCpu(Duration.ofSeconds(timeoutSeconds), new Tolerance(rtol, atol),
                throughIr);
        ConformanceReport result = new ConformanceReport(runner.run(cases, progress(err, cases.size())));
        result.printText(out, verbose);
        write(report, result.markdown());
        write(json, result.json());
        return result.count(Outcome.FAILED) == 0 ? 0 : 1;
    }

    private static Pattern compile(String regex) {
        try {
            return regex == null ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InferoException("--filter '" + regex + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** One line per case with --verbose, otherwise a line at every tenth of the run. */
    private Consumer<CaseResult> progress(PrintWriter err, int total) {
        int[] counts = new int[Outcome.values().length + 1];
        return r -> {
            int done = ++counts[Outcome.values().length];
            counts[r.outcome().ordinal()]++;
            if (verbose) {
                err.printf("[%d/%d] %s: %s%s (%d ms)%n", done, total, r.name(),
                        r.outcome().name().toLowerCase(java.util.Locale.ROOT),
                        r.reason().isEmpty() ? "" : " - " + r.reason(), r.millis());
            } else if (done == total || done * 10 / total != (done - 1) * 10 / total) {
                err.printf("conformance: %d/%d cases (%d passed, %d failed, %d unsupported)%n", done, total,
                        counts[0], counts[1], counts[2]);
            }
            err.flush();
        };
    }

    private static void write(Path file, String text) {
        if (file == null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new InferoException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
