package dev.infero.cli.report;

import dev.infero.cli.benchmark.Statistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A complete {@link ReportData} with known numbers, for rendering tests that need no measurement. */
final class ReportFixtures {
    static final int LATENCIES = 200;
    static final int LAYERS = 24;

    private ReportFixtures() {
    }

    static ReportData full() {
        return withName("INT8");
    }

    /** Three variants (FP32, FP16, and one named {@code int8Name}), drift, layer drift, accuracy, everything. */
    static ReportData withName(String int8Name) {
        Random rnd = new Random(1);
        String[] names = {"FP32", "FP16", int8Name};
        double[] base = {2.0, 1.8, 1.5};
        List<ReportData.Variant> variants = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            long[] ns = new long[LATENCIES];
            double[] ms = new double[LATENCIES];
            for (int i = 0; i < LATENCIES; i++) {
                ms[i] = base[v] + Math.abs(rnd.nextGaussian()) * 0.2;
                ns[i] = (long) (ms[i] * 1e6);
            }
            Statistics s = Statistics.of(ns, (long) (base[v] * 1e6 * LATENCIES * 1.1), 1, 50);
            Statistics p90 = Statistics.of(ns, (long) (base[v] * 1e6 * LATENCIES * 1.1), 1, 90);
            List<ReportData.LayerTime> times = List.of(new ReportData.LayerTime("Convolution", 20, base[v] * 0.6),
                    new ReportData.LayerTime("GroupConvolution", 10, base[v] * 0.2),
                    new ReportData.LayerTime("Add", 5, 0.1), new ReportData.LayerTime("MaxPool", 2, 0.05),
                    new ReportData.LayerTime("Reshape", 3, 0.01), new ReportData.LayerTime("Concat", 3, 0.02),
                    new ReportData.LayerTime("ReLU", 9, 0.03), new ReportData.LayerTime("Pad", 2, 0.01),
                    new ReportData.LayerTime("Transpose", 1, 0.005));
            ReportData.Drift drift = v == 0 ? null
                    : new ReportData.Drift("FP32", "scores", 32, v == 1 ? 0.999999 : 0.9991, v == 1 ? 72 : 31.5,
                    v == 1 ? 1.0 : 0.97, 0.01);
            variants.add(new ReportData.Variant(names[v], "models/m_" + names[v].toLowerCase() + ".xml",
                    new String[] {"FP32", "FP16", "INT8"}[v], new long[] {400_000, 200_000, 110_000}[v], 101_079,
                    61_521_920, s, p90.latencyMs(), ms, 2, s, times, drift));
        }
        List<ReportData.LayerDrift> layers = new ArrayList<>();
        for (int v = 1; v < 3; v++) {
            List<ReportData.LayerPoint> pts = new ArrayList<>();
            for (int i = 0; i < LAYERS; i++) {
                double db = (v == 1 ? 70 : 40) - i * 0.3;
                pts.add(new ReportData.LayerPoint("layer_" + i, i % 2 == 0 ? "Convolution" : "ReLU", db,
                        1 - Math.pow(10, -db / 10), i == 5 ? 6 : 0.5));
            }
            layers.add(new ReportData.LayerDrift(names[v], "FP32", pts));
        }
        List<ReportData.AccuracyModel> acc = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            acc.add(new ReportData.AccuracyModel(names[v], "models/m_" + names[v].toLowerCase() + ".xml",
                    names[v], base[v], List.of(new ReportData.Metric("accuracy@top1", "accuracy",
                    0.646 - v * 0.004, -v * 0.004), new ReportData.Metric("accuracy@top5", "accuracy",
                    0.84 - v * 0.002, -v * 0.002))));
        }
        var machine = new ReportData.Machine("Test CPU", 2, "AVX2 FMA (amd64)", "256-bit (8 x f32)", "25", "on: C2",
                "Linux", "test", "CPU");
        return new ReportData("Report <fixture>", machine, variants, layers,
                new ReportData.Accuracy("infero accuracy (accuracy.json)", "imagenet-samples", 500, acc),
                List.of("32 images from images/"), List.of("infero report -m a.xml -m b.xml -o r.html"),
                List.of("A note & more."));
    }
}
