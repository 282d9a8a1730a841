package dev.infero.cli.report;

import dev.infero.cli.benchmark.Statistics;
import java.util.List;

/**
 * Everything one HTML report shows; a command fills what it measured and leaves the rest empty (a section without
 * data is left out). Latencies are in milliseconds.
 *
 * @param title      page heading
 * @param machine    where the numbers were measured
 * @param variants   the models, the reference (FP32) first
 * @param layerDrift per-layer drift of each compared variant from the reference, along the network
 * @param accuracy   metrics from {@code infero accuracy --json} ({@code null}: none)
 * @param inputs     what the models were fed, one line each
 * @param commands   commands that reproduce the numbers
 * @param notes      remarks shown under the summary
 */
public record ReportData(String title, Machine machine, List<Variant> variants, List<LayerDrift> layerDrift,
                         Accuracy accuracy, List<String> inputs, List<String> commands, List<String> notes) {
    public ReportData {
        variants = List.copyOf(variants);
        layerDrift = List.copyOf(layerDrift);
        inputs = List.copyOf(inputs);
        commands = List.copyOf(commands);
        notes = List.copyOf(notes);
    }

    /** The machine and runtime. */
    public record Machine(String cpu, int cores, String isa, String vectorWidth, String java, String jit,
                          String os, String inferoVersion, String device) {
    }

    /**
     * One model variant.
     *
     * @param name        label (e.g. FP32 or the file name)
     * @param file        model path as given
     * @param precision   FP32 / FP16 / INT8
     * @param sizeBytes   weights on disk (IR .bin, or the ONNX file)
     * @param parameters  floating weight elements ({@code -1}: unknown)
     * @param flops       FLOPs per inference ({@code -1}: unknown)
     * @param latency     one thread, sync ({@code null}: not measured)
     * @param p90Ms       90th percentile latency of the same run
     * @param latenciesMs every latency of that run
     * @param threads     threads of the multi-thread run (0: not measured)
     * @param throughput  multi-thread run, async with the throughput hint ({@code null}: not measured)
     * @param layerTimes  time per layer type, one thread, from the runtime's counters
     * @param drift       output drift from the reference ({@code null}: this is the reference or not compared)
     */
    public record Variant(String name, String file, String precision, long sizeBytes, long parameters, long flops,
                          Statistics latency, double p90Ms, double[] latenciesMs, int threads, Statistics throughput,
                          List<LayerTime> layerTimes, Drift drift) {
        public Variant {
            layerTimes = List.copyOf(layerTimes);
        }
    }

    /** Time of one layer type in one inference. */
    public record LayerTime(String type, int count, double ms) {
    }

    /** Drift of one output from the reference. */
    public record Drift(String reference, String output, int samples, double cosine, double sqnrDb, double top1,
                        double maxAbsError) {
    }

    /** Drift of one variant's intermediate tensors, in graph order. */
    public record LayerDrift(String variant, String reference, List<LayerPoint> points) {
        public LayerDrift {
            points = List.copyOf(points);
        }
    }

    /** One intermediate tensor's drift. */
    public record LayerPoint(String tensor, String producer, double sqnrDb, double cosine, double lostDb) {
    }

    /** What {@code infero accuracy --json} measured. */
    public record Accuracy(String source, String dataset, int samples, List<AccuracyModel> models) {
        public Accuracy {
            models = List.copyOf(models);
        }
    }

    /** One model's accuracy metrics. */
    public record AccuracyModel(String name, String model, String precision, double latencyMs,
                                List<Metric> metrics) {
        public AccuracyModel {
            metrics = List.copyOf(metrics);
        }
    }

    /** One metric; {@code delta} against the reference model (NaN: none). */
    public record Metric(String name, String type, double value, double delta) {
    }
}
