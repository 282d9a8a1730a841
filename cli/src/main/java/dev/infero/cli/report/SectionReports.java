package dev.infero.cli.report;

import dev.infero.api.Core;
import dev.infero.quantize.ModelComparison;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTML sections of {@code compare --report} and {@code quantize --report} (two models and their drift) and of an
 * accuracy run ({@code accuracy --report}: the metrics table and speed against accuracy).
 */
public final class SectionReports {
    private SectionReports() {
    }

    /**
     * The reference and the compared model (size, parameters, FLOPs), the output drift and, when the comparison
     * was per layer, the drift along the network.
     *
     * @param title    page heading
     * @param inputs   what the comparison ran on, one line each
     * @param commands the commands that reproduce it
     */
    public static void drift(Path file, String title, Path reference, Path tested, ModelComparison.Report report,
                             List<String> inputs, List<String> commands) {
        List<ReportData.Variant> variants = new ArrayList<>();
        List<ReportData.LayerDrift> layers = new ArrayList<>();
        try (Core core = new Core()) {
            ReportData.Variant ref = Measurements.describe(core, reference, null);
            ReportData.Variant cmp = Measurements.describe(core, tested, null);
            String refName = ref.precision().equals(cmp.precision()) ? "reference" : ref.precision();
            String cmpName = ref.precision().equals(cmp.precision()) ? "compared" : cmp.precision();
            variants.add(rename(ref, refName));
            variants.add(Measurements.withDrift(rename(cmp, cmpName), Measurements.drift(refName, report)));
            if (!report.layers().isEmpty()) {
                layers.add(Measurements.layerDrift(cmpName, refName, report));
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add("Outputs compared: " + String.join(", ", report.outputs().stream().map(d -> d.name() + " (cosine "
                + String.format(java.util.Locale.ROOT, "%.6f", d.metrics().cosine()) + ")").toList()) + ".");
        HtmlReport.write(new ReportData(title, Measurements.machine("CPU"), variants, layers, null, inputs, commands,
                notes), file);
    }

    /**
     * An accuracy run's page: every model's metrics, and its latency against its first metric when the run measured
     * latencies.
     */
    public static void accuracy(Path file, ReportData.Accuracy accuracy, List<String> inputs, List<String> commands) {
        HtmlReport.write(new ReportData("Infero accuracy: " + accuracy.dataset(), Measurements.machine("CPU"),
                List.of(), List.of(), accuracy, inputs, commands, List.of()), file);
    }

    private static ReportData.Variant rename(ReportData.Variant v, String name) {
        return new ReportData.Variant(name, v.file(), v.precision(), v.sizeBytes(), v.parameters(), v.flops(),
                v.latency(), v.p90Ms(), v.latenciesMs(), v.threads(), v.throughput(), v.layerTimes(), v.drift());
    }
}
