package dev.infero.cli.benchmark;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The table several {@code -m} produce: model, weight precision, weight size, median latency, throughput and the
 * throughput ratio to the first model, the comparison users otherwise make by hand between FP32, FP16 and INT8 files.
 */
final class Comparison {
    private Comparison() {
    }

    static void print(PrintStream out, List<Benchmark.ModelResult> results) {
        out.println();
        out.println("[ INFO ] Comparison (ratio = throughput / throughput of the first model):");
        out.printf(Locale.ROOT, "%-36s %-9s %12s %12s %16s %7s%n", "Model", "Precision", "Size (MB)",
                results.getFirst().statistics().latencyLabel() + " (ms)", "Throughput (FPS)", "Ratio");
        double base = results.getFirst().statistics().throughputFps();
        for (Benchmark.ModelResult r : results) {
            out.printf(Locale.ROOT, "%-36s %-9s %12.2f %12.2f %16.2f %6.2fx%n", r.model().getFileName(),
                    r.summary().precision(), r.summary().weightBytes() / 1e6, r.statistics().latencyMs(),
                    r.statistics().throughputFps(), r.statistics().throughputFps() / base);
        }
    }

    /** {@code benchmark_comparison.csv}: the same table, ';'-separated, sizes in bytes. */
    static String csv(List<Benchmark.ModelResult> results) {
        StringBuilder sb = new StringBuilder("model;precision;size (bytes);latency (ms);throughput (FPS);ratio\n");
        double base = results.getFirst().statistics().throughputFps();
        for (Benchmark.ModelResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s;%s;%d;%.2f;%.2f;%.3f%n", r.model(), r.summary().precision(),
                    r.summary().weightBytes(), r.statistics().latencyMs(), r.statistics().throughputFps(),
                    r.statistics().throughputFps() / base));
        }
        return sb.toString();
    }

    static void writeCsv(Path folder, List<Benchmark.ModelResult> results) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("benchmark_comparison.csv"), csv(results));
        } catch (IOException e) {
            throw new InferoException("cannot write " + folder.resolve("benchmark_comparison.csv") + ": "
                    + e.getMessage(), e);
        }
    }
}
