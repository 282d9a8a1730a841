package dev.infero.cli.benchmark;

import dev.infero.api.Core;
import dev.infero.cli.report.HtmlReport;
import dev.infero.cli.report.Measurements;
import dev.infero.cli.report.ReportData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code benchmark --report FILE.html}: the run's models, latency distributions and (with -pc) layer times. */
final class BenchmarkHtml {
    private BenchmarkHtml() {
    }

    static void write(Path file, BenchmarkOptions options, List<Benchmark.ModelResult> results, List<String> args) {
        List<ReportData.Variant> variants = new ArrayList<>();
        try (Core core = new Core()) {
            for (Benchmark.ModelResult r : results) {
                String name = results.size() == 1 ? r.summary().precision()
                        : r.model().getFileName().toString().replaceFirst("\\.(xml|onnx)$", "");
                ReportData.Variant d = Measurements.describe(core, r.model(), name);
                long[] ns = r.latenciesNanos();
                double[] ms = new double[ns.length];
                for (int i = 0; i < ns.length; i++) {
                    ms[i] = ns[i] / 1e6;
                }
                Statistics p90 = Statistics.of(ns, Math.max(1, (long) (r.statistics().durationMs() * 1e6)), 1, 90);
                variants.add(new ReportData.Variant(name, d.file(), d.precision(), d.sizeBytes(), d.parameters(),
                        d.flops(), r.statistics(), p90.latencyMs(), ms, 0, null,
                        Measurements.layerTimes(r.counters()), null));
            }
        }
        String mode = String.format(Locale.ROOT, "benchmark: %s API, %d request(s), hint %s, device %s%s; the "
                        + "latency is the %s, FPS the run's throughput.", options.async() ? "async" : "sync",
                results.getFirst().requests(), options.hint(), options.device(),
                options.nthreads() > 0 ? ", " + options.nthreads() + " threads" : ", all cores",
                results.getFirst().statistics().latencyLabel().toLowerCase(Locale.ROOT));
        List<String> inputs = List.of(options.inputFiles().isEmpty() ? "random inputs (benchmark_app's filling)"
                : options.inputFiles().size() + " input file(s), first: " + options.inputFiles().getFirst());
        List<String> commands = List.of("infero benchmark " + String.join(" ", args));
        HtmlReport.write(new ReportData("Infero benchmark", Measurements.machine(options.device()), variants,
                List.of(), null, inputs, commands, List.of(mode)), file);
    }
}
