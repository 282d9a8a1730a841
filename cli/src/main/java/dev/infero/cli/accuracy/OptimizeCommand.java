package dev.infero.cli.accuracy;

import dev.infero.core.OutputFolder;
import dev.infero.accuracy.AccuracyAwareQuantization;
import dev.infero.accuracy.AccuracyChecker;
import dev.infero.accuracy.AccuracyConfig;
import dev.infero.accuracy.ModelEvaluation;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.api.io.ImageInput;
import dev.infero.cli.ModelSize;
import dev.infero.cli.benchmark.MeasurementLoop;
import dev.infero.cli.benchmark.Statistics;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.AccuracyAwareParameters;
import dev.infero.quantize.CalibrationData;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infero optimize}: one command from a model to the fastest variant within an accuracy budget — convert to
 * IR FP32 and FP16, quantize to INT8 (DefaultQuantization, then AccuracyAwareQuantization when Default misses the
 * budget), measure each variant's metric and latency, keep the fastest one whose drop fits.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find the fastest variant of a model within an accuracy budget: convert to IR FP32 and FP16, "
                + "quantize to INT8 (DefaultQuantization, then AccuracyAwareQuantization if Default drops too much), "
                + "measure the first metric of the accuracy config and the latency of each, keep the fastest within "
                + "--max-drop, and print what was tried and why the winner won.",
            "  infero optimize -m model.onnx --accuracy acc.yml --max-drop 0.5 --output-dir optimized/"})
public final class OptimizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "Model (.onnx or .xml).")
    Path model;

    @Option(names = "--accuracy", required = true, paramLabel = "FILE",
            description = "Accuracy Checker YAML: dataset, preprocessing, adapter, metrics (first metric decides).")
    Path accuracy;

    @Option(names = "--data", paramLabel = "DIR", description = "Calibration images (preprocessed as the accuracy "
            + "dataset says); default: the accuracy dataset's own samples.")
    Path data;

    @Option(names = "--max-drop", paramLabel = "D", defaultValue = "1.0", description = "Allowed drop of the first "
            + "metric vs FP32, in percentage points for percent metrics (0.5 = half a point), else in its unit; "
            + "default ${DEFAULT-VALUE}.")
    double maxDrop;

    @Option(names = "--subset-size", paramLabel = "N", defaultValue = "300",
            description = "Calibration samples (default ${DEFAULT-VALUE}).")
    int subsetSize;

    @Option(names = {"-n", "--subsample"}, paramLabel = "N",
            description = "Evaluate N samples of the accuracy dataset (overrides subsample_size).")
    Integer subsample;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "3",
            description = "Latency measurement per variant and round, in seconds (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "./optimized",
            description = "Where the variants are written (default ${DEFAULT-VALUE}).")
    Path outputDir;

    /** Relative latency difference below which two variants count as equally fast. */
    static final double TIE = 0.03;

    private record Variant(String name, Path model, String precision, long size, double metric, double drop,
                           double latencyMs, String note) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream progress = System.console() != null ? System.err : null;
        AccuracyConfig cfg = AccuracyConfig.read(accuracy, true, subsample == null ? 0 : subsample);
        AccuracyConfig.LauncherSpec launcher = cfg.models().getFirst().launchers().getFirst();
        AccuracyConfig.DatasetSpec dataset = cfg.models().getFirst().datasets().getFirst();
        String base = baseName(model);
        OutputFolder.prepare(outputDir, "--output-dir");

        out.println("[ INFO ] Converting " + model + " to IR FP32 and FP16 in " + outputDir);
        Path fp32 = convert(base + "_fp32", false);
        Path fp16 = convert(base + "_fp16", true);

        try (Core core = new Core()) {
            PortInfo input = AccuracyChecker.imageInput(core.readModel(fp32).inputs(), launcher);
            AccuracyChecker.Prepared prepared = AccuracyChecker.prepare(dataset, input);
            AccuracyChecker.Evaluation reference = evaluate(core, fp32, launcher, prepared, progress);
            AccuracyChecker.MetricValue metric = reference.first();
            double budget = metric.percent() ? maxDrop / 100 : maxDrop;
            double sign = metric.higherIsBetter() ? 1 : -1;
            out.printf(Locale.ROOT, "[ INFO ] FP32 %s: %s on %d samples; budget: drop at most %s%n", metric.name(),
                    metric.formatted(), reference.samples(), dropText(metric, budget));

            List<Variant> variants = new ArrayList<>();
            variants.add(new Variant("FP32", fp32, "FP32", ModelEvaluation.size(fp32), metric.value(), 0, 0,
                    "reference"));
            AccuracyChecker.Evaluation e16 = evaluate(core, fp16, launcher, prepared, progress);
            variants.add(new Variant("FP16", fp16, "FP16", ModelEvaluation.size(fp16), e16.first().value(),
                    sign * (metric.value() - e16.first().value()), 0, "weights compressed to f16"));

            QuantizationParameters qp = QuantizationParameters.defaults().withStatSubsetSize(subsetSize);
            List<Tensor> calibration = calibration(prepared, dataset, input);
            out.printf(Locale.ROOT, "[ INFO ] INT8 DefaultQuantization on %d calibration samples%n",
                    calibration.size());
            Quantizer.Result dq = Quantizer.quantize(fp32, calibration, qp, outputDir, base + "_int8", null,
                    progress);
            AccuracyChecker.Evaluation e8 = evaluate(core, dq.xml(), launcher, prepared, progress);
            double drop8 = sign * (metric.value() - e8.first().value());
            variants.add(new Variant("INT8 Default", dq.xml(), "INT8", dq.binBytes(), e8.first().value(), drop8, 0,
                    dq.quantizedLayers() + " layers INT8"));
            if (drop8 > budget + 1e-12) {
                out.printf(Locale.ROOT, "[ INFO ] DefaultQuantization drops %s: trying AccuracyAwareQuantization%n",
                        dropText(metric, drop8));
                // Every sample is searched for mismatches (POT's metric_subset_ratio 0.5 can miss the few samples a
                // detection or classification metric turns on); the rest is POT's defaults.
                AccuracyAwareParameters ap = new AccuracyAwareParameters(budget, false, 300, 0, true, 1.0);
                AccuracyAwareQuantization.Result aaq = AccuracyAwareQuantization.run(core, fp32, launcher, dataset,
                        qp, ap, outputDir, base + "_int8_aaq", null, line -> {
                            out.println(line);
                            out.flush();
                        }, progress);
                variants.add(new Variant("INT8 AccuracyAware", aaq.xml(), "INT8+FP32", aaq.binBytes(),
                        aaq.finalMetric(), aaq.finalDrop(), 0, aaq.reverted().size() + " of " + aaq.groups()
                        + " groups kept FP32" + (aaq.withinBudget() ? "" : "; budget not reached")));
            }

            out.printf(Locale.ROOT, "[ INFO ] Measuring latency: 2 alternating rounds of %.1f s per variant, sync,"
                    + " median%n", seconds);
            double[] latency = latencies(core, variants, prepared.input(0));
            List<Variant> measured = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                measured.add(new Variant(v.name(), v.model(), v.precision(), v.size(), v.metric(), v.drop(),
                        latency[i], v.note()));
            }
            Variant fastest = null;
            for (Variant v : measured) {
                if (v.drop() <= budget + 1e-12 && (fastest == null || v.latencyMs() < fastest.latencyMs())) {
                    fastest = v;
                }
            }
            // Latencies within TIE of the fastest are not told apart by a short measurement: the smaller one wins.
            Variant chosen = fastest;
            for (Variant v : measured) {
                if (fastest != null && v.drop() <= budget + 1e-12 && v.latencyMs() <= fastest.latencyMs() * (1 + TIE)
                        && v.size() < chosen.size()) {
                    chosen = v;
                }
            }
            print(out, metric, budget, measured, chosen);
        }
        return 0;
    }

    private Path convert(String name, boolean fp16) {
        ConvertOptions o = new ConvertOptions(model, name, outputDir, List.of(), List.of(), List.of(), new float[0],
                new float[0], null, false, fp16, null);
        return ModelConverter.convert(o).files().xml();
    }

    private AccuracyChecker.Evaluation evaluate(Core core, Path file, AccuracyConfig.LauncherSpec launcher,
                                                AccuracyChecker.Prepared prepared, PrintStream progress) {
        try (CompiledModel compiled = core.compileModel(core.readModel(file), launcher.device())) {
            return AccuracyChecker.evaluate(compiled, prepared, launcher.adapter(), null, false, progress);
        }
    }

    private List<Tensor> calibration(AccuracyChecker.Prepared prepared, AccuracyConfig.DatasetSpec dataset,
                                     PortInfo input) {
        if (data == null) {
            int n = Math.min(subsetSize, prepared.size());
            List<Tensor> samples = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                samples.add(prepared.input((int) ((long) i * prepared.size() / n)));
            }
            return samples;
        }
        return CalibrationData.load(data, input, (file, port) -> dataset.preprocessor()
                .apply(ImageInput.Planes.read(file), port.type(), port.shape()).input(), subsetSize, false, 0, null);
    }

    private double[] latencies(Core core, List<Variant> variants, Tensor input) {
        double[] best = new double[variants.size()];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        List<CompiledModel> compiled = new ArrayList<>();
        List<InferRequest> requests = new ArrayList<>();
        try {
            for (Variant v : variants) {
                CompiledModel c = core.compileModel(core.readModel(v.model()), "CPU",
                        Map.of("PERFORMANCE_HINT", "LATENCY"));
                compiled.add(c);
                InferRequest r = c.createInferRequest();
                r.setInput(0, input);
                for (int w = 0; w < 5; w++) {
                    r.infer();   // warm-up: first inferences compile kernels
                }
                requests.add(r);
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < variants.size(); i++) {
                    InferRequest r = requests.get(i);
                    MeasurementLoop.Measured m = new MeasurementLoop(System::nanoTime,
                            new MeasurementLoop.Limits(0, (long) (seconds * 1e9)), MeasurementLoop.Progress.NONE)
                            .runSync(r::infer);
                    best[i] = Math.min(best[i], Statistics.of(m.latenciesNanos(), m.durationNanos(), 1, 50)
                            .latencyMs());
                }
            }
        } finally {
            compiled.forEach(CompiledModel::close);
        }
        return best;
    }

    private static void print(PrintWriter out, AccuracyChecker.MetricValue metric, double budget,
                              List<Variant> variants, Variant chosen) {
        out.printf(Locale.ROOT, "%n  %-20s %10s %14s %11s %12s %10s  %s%n", "variant", "precision", ".bin bytes",
                "latency ms", metric.name(), "drop", "");
        for (Variant v : variants) {
            String verdict = v.drop() > budget + 1e-12 ? "over budget" : v == chosen ? "CHOSEN" : "within budget";
            out.printf(Locale.ROOT, "  %-20s %10s %,14d %11s %12s %10s  %s (%s)%n", v.name(), v.precision(),
                    v.size(), AccuracyCommand.ms(v.latencyMs()), format(metric, v.metric()),
                    v.name().equals("FP32") ? "—" : dropText(metric, v.drop()), verdict, v.note());
        }
        if (chosen == null) {
            throw new InferoException("no variant is within the budget (not even FP32?)");
        }
        Variant fp32 = variants.getFirst();
        out.printf(Locale.ROOT, "%nChosen: %s (%s): the fastest within a drop of %s (latencies within %.0f %% count as"
                        + " equal; then the smaller wins) — %.2fx the FP32 speed, weights %s.%n",
                chosen.name(), chosen.model().toAbsolutePath(), dropText(metric, budget), 100 * TIE,
                fp32.latencyMs() / chosen.latencyMs(), ModelSize.sizeChange(fp32.size(), chosen.size()));
        for (Variant v : variants) {
            if (v == chosen) {
                continue;
            }
            boolean tie = v.latencyMs() <= chosen.latencyMs() * (1 + TIE) && chosen.latencyMs() <= v.latencyMs() * (1
                    + TIE);
            if (v.drop() <= budget + 1e-12 && tie) {
                out.printf(Locale.ROOT, "  %s is within budget and as fast (%s vs %s ms) but larger (%,d vs %,d bytes).%n",
                        v.name(), AccuracyCommand.ms(v.latencyMs()), AccuracyCommand.ms(chosen.latencyMs()), v.size(),
                        chosen.size());
            } else if (v.drop() <= budget + 1e-12) {
                out.printf(Locale.ROOT, "  %s is within budget too but slower (%s vs %s ms).%n", v.name(),
                        AccuracyCommand.ms(v.latencyMs()), AccuracyCommand.ms(chosen.latencyMs()));
            } else {
                out.printf(Locale.ROOT, "  %s drops %s, over the budget.%n", v.name(), dropText(metric, v.drop()));
            }
        }
    }

    private static String format(AccuracyChecker.MetricValue m, double v) {
        return AccuracyChecker.MetricValue.format(v, m.percent());
    }

    private static String dropText(AccuracyChecker.MetricValue m, double d) {
        return m.percent() ? String.format(Locale.ROOT, "%.2f pt", 100 * d) : String.format(Locale.ROOT, "%.4g", d);
    }

    private static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
