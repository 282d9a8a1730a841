package dev.infero.cli;

import dev.infero.api.Core;
import dev.infero.cli.benchmark.Statistics;
import dev.infero.cli.demo.DemoModel;
import dev.infero.cli.report.HtmlReport;
import dev.infero.cli.report.Measurements;
import dev.infero.cli.report.ReportData;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.ModelComparison;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code demo --output-dir DIR}: DIR/report.html of the demo's own run. */
final class DemoReport {
    private static final String[] NAMES = {"FP32", "FP16", "INT8"};

    private DemoReport() {
    }

    static void write(Path html, List<Path> models, List<Statistics> stats, List<long[]> latencies,
                      List<ModelComparison.Report> drifts, int evaluationImages) {
        List<ReportData.Variant> variants = new ArrayList<>();
        List<ReportData.LayerDrift> layers = new ArrayList<>();
        var settings = new Measurements.Settings(0, 0, 10, "CPU");
        try (Core core = new Core()) {
            for (int i = 0; i < models.size(); i++) {
                ReportData.Variant d = Measurements.describe(core, models.get(i), NAMES[i]);
                long[] ns = latencies.get(i);
                double[] ms = new double[ns.length];
                for (int k = 0; k < ns.length; k++) {
                    ms[k] = ns[k] / 1e6;
                }
                Statistics s = stats.get(i);
                double p90 = Statistics.of(ns, Math.max(1, (long) (s.durationMs() * 1e6)), 1, 90).latencyMs();
                var times = Measurements.layerTimes(core, core.readModel(models.get(i)),
                        new Tensor[] {DemoModel.syntheticImage()}, settings);
                ReportData.Drift drift = i == 0 ? null : Measurements.drift("FP32", drifts.get(i - 1));
                variants.add(new ReportData.Variant(NAMES[i], d.file(), d.precision(), d.sizeBytes(), d.parameters(),
                        d.flops(), s, p90, ms, 0, null, times, drift));
                if (i > 0) {
                    layers.add(Measurements.layerDrift(NAMES[i], "FP32", drifts.get(i - 1)));
                }
            }
        }
        List<String> inputs = List.of("timing: the demo picture (DemoModel.syntheticImage), sync, one request",
                "drift: " + evaluationImages + " generated images (seed " + DemoCommand.EVALUATION_SEED
                        + "), not the " + DemoCommand.CALIBRATION_IMAGES + " calibration images");
        List<String> commands = new ArrayList<>();
        commands.add("infero demo --output-dir " + html.getParent());
        commands.add("# the same models measured by the tools (random inputs instead of the demo's pictures)");
        for (Path m : models) {
            commands.add("infero benchmark -m " + m + " -api sync -hint latency -t 1 -pc");
        }
        commands.add("infero compare " + models.get(0) + " " + models.get(2) + " --random 48 --per-layer");
        commands.add("infero report -m " + models.get(0) + " -m " + models.get(1) + " -m " + models.get(2) + " -o "
                + html.resolveSibling("full-report.html") + "    # adds N-thread throughput");
        HtmlReport.write(new ReportData("Infero demo: FP32, FP16 and INT8 of the built-in CNN",
                Measurements.machine("CPU"), variants, layers, null, inputs, commands,
                List.of("Latency: the demo's own sync runs (median). Layer times: 10 profiled inferences, 1 thread.")),
                html);
    }
}
