package dev.infero.cli;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.cli.benchmark.MeasurementLoop;
import dev.infero.cli.benchmark.Statistics;
import dev.infero.cli.benchmark.WarmUp;
import dev.infero.cli.demo.DemoModel;
import dev.infero.cli.demo.SyntheticImages;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.DriftMetrics;
import dev.infero.quantize.ModelComparison;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infero demo}: the whole Infero path on a built-in model, with no files needed — build a small CNN and write
 * it as ONNX, convert it to IR FP32 and FP16, quantize it to INT8 on generated calibration images, benchmark the three
 * variants and measure how far FP16 and INT8 drift from FP32.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole Infero path on a built-in 64x64 MobileNet-like classifier (fixed pseudo-random "
                + "weights) with no files needed: write it as ONNX, convert to IR FP32 and FP16, quantize to INT8 on "
                + "generated calibration images, benchmark the three variants (sync, after a warm-up until HotSpot stops compiling: median and mean latency, throughput) and compare "
                + "FP16 and INT8 outputs with FP32 on other generated images. Everything but the timings is "
                + "deterministic."})
final class DemoCommand implements Callable<Integer> {
    /** Fixed so that every run of the demo builds the same network. */
    static final long WEIGHT_SEED = 2024;
    /** Calibration and evaluation images are drawn from different seeds, so INT8 is judged on unseen pictures. */
    static final long CALIBRATION_SEED = 1;
    static final long EVALUATION_SEED = 2;
    static final int CALIBRATION_IMAGES = 32;
    static final int EVALUATION_IMAGES = 48;
    /** How much longer than the measurement a variant may warm up while HotSpot keeps compiling. */
    static final long MAX_EXTRA_WARM_UP_NANOS = 5_000_000_000L;
    /** A mean latency this far above the median means the run was interrupted, not that the code is slow. */
    static final double BUSY_MEAN_OVER_MEDIAN = 1.5;

    @Spec
    CommandSpec spec;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Keep the ONNX and IR files here (default: a temporary folder, deleted at the end).")
    Path outputDir;

    @Option(names = {"-t", "--time"}, paramLabel = "MS", defaultValue = "300",
            description = "Benchmark time per variant in milliseconds (default: ${DEFAULT-VALUE}).")
    int benchmarkMillis;

    private record Variant(String name, Path xml, long binBytes) {
    }

    /** One variant's benchmark: its scores on the demo picture and its latencies. */
    private record Timed(float[] scores, Statistics stats, long[] latenciesNanos) {
    }

    @Override
    public Integer call() throws IOException {
        if (benchmarkMillis < 1) {
            throw new InferoException("--time must be at least 1 ms, got " + benchmarkMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        boolean temporary = outputDir == null;
        Path dir = temporary ? Files.createTempDirectory("infero-demo") : Files.createDirectories(outputDir);
        try {
            run(dir, out);
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
        out.printf(Locale.ROOT, "%-10s %s; total %.1f s%n", "Files", temporary
                ? "in a temporary folder, deleted (--output-dir DIR keeps them)" : dir.toAbsolutePath().toString(),
                millisSince(start) / 1000.0);
        return 0;
    }

    private void run(Path dir, PrintWriter out) {
        out.println("Infero demo: a 64x64 MobileNet-like classifier (10 classes, fixed pseudo-random weights), "
                + "generated images");
        Path onnx = dir.resolve("demo.onnx");
        DemoModel.build(WEIGHT_SEED).write(onnx);
        try (Core core = new Core()) {
            ModelSize size = ModelSize.of(core.readModel(onnx).graph());
            out.printf(Locale.ROOT, "%-10s demo.onnx: %d ops, %,d parameters, %.2f MFLOPs per image%n", "Model",
                    size.computeNodes(), size.parameters(), size.flops() / 1e6);
        }

        long start = System.nanoTime();
        Variant fp32 = convert(onnx, dir, "FP32", false);
        Variant fp16 = convert(onnx, dir, "FP16", true);
        out.printf(Locale.ROOT, "%-10s IR FP32 and FP16 in %d ms%n", "Convert", millisSince(start));

        start = System.nanoTime();
        List<Tensor> calibration = SyntheticImages.generate(CALIBRATION_IMAGES, CALIBRATION_SEED);
        Quantizer.Result q = Quantizer.quantize(fp32.xml(), calibration,
                QuantizationParameters.defaults().withStatSubsetSize(calibration.size()), dir, "demo_int8", null,
                null);
        Variant int8 = new Variant("INT8", q.xml(), q.binBytes());
        out.printf(Locale.ROOT, "%-10s INT8 on %d generated images: %d layers, %d FakeQuantize, %d biases corrected"
                        + " in %d ms%n", "Quantize", calibration.size(), q.quantizedLayers(), q.fakeQuantizes(),
                q.biasesCorrected(), millisSince(start));

        out.printf(Locale.ROOT, "%-10s sync, %d ms each after a warm-up until HotSpot stops compiling; images/s over"
                + " the measured period (1000 / mean)%n", "Benchmark", benchmarkMillis);
        out.printf(Locale.ROOT, "  %-8s %10s %10s %10s %10s %9s%n", "variant", ".bin bytes", "median ms", "mean ms",
                "images/s", "warm-up s");
        float[] fp32Scores = null;
        List<Timed> timings = new java.util.ArrayList<>();
        for (Variant v : List.of(fp32, fp16, int8)) {
            Timed t = benchmark(v, out);
            timings.add(t);
            fp32Scores = fp32Scores == null ? t.scores() : fp32Scores;
        }
        out.println("  (INT8 convolutions run on generated u8×s8 dot-product code where the CPU has it, "
                + "see benchmark -pc; runs this short are noisy)");
        if (timings.stream().anyMatch(t -> t.stats().averageMs() > BUSY_MEAN_OVER_MEDIAN * t.stats().latencyMs())) {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            out.printf(Locale.ROOT, "  (a mean far above the median: the machine is busy%s, other processes' time slices"
                    + " land inside inferences; images/s follows the mean, the median is the code's speed)%n",
                    load >= 0 ? String.format(Locale.ROOT, ", load average %.1f on %d cores", load,
                            Runtime.getRuntime().availableProcessors()) : "");
        }

        List<Tensor[]> evaluation = SyntheticImages.generate(EVALUATION_IMAGES, EVALUATION_SEED).stream()
                .map(t -> new Tensor[] {t}).toList();
        out.printf(Locale.ROOT, "%-10s %s vs FP32 on %d other generated images%n", "Drift", DemoModel.OUTPUT,
                evaluation.size());
        out.printf(Locale.ROOT, "  %-8s %11s %10s %8s %7s%n", "variant", "max abs err", "cosine", "SQNR dB",
                "top-1");
        List<ModelComparison.Report> drifts = new java.util.ArrayList<>();
        for (Variant v : List.of(fp16, int8)) {
            ModelComparison.Report report = ModelComparison.compare(fp32.xml(), v.xml(), evaluation,
                    outputDir != null, null);
            drifts.add(report);
            DriftMetrics m = report.outputs().getFirst().metrics();
            out.printf(Locale.ROOT, "  %-8s %11.2e %10.6f %8.1f %6.1f%%%n", v.name(), m.maxAbsError(), m.cosine(),
                    m.sqnrDb(), 100 * m.top1Agreement());
        }
        out.printf(Locale.ROOT, "%-10s FP32 on the demo picture: %s%n", "Top-3", top3(fp32Scores));
        if (outputDir != null) {
            Path html = dir.resolve("report.html");
            DemoReport.write(html, List.of(fp32.xml(), fp16.xml(), int8.xml()),
                    timings.stream().map(Timed::stats).toList(),
                    timings.stream().map(Timed::latenciesNanos).toList(), drifts, evaluation.size());
            out.printf(Locale.ROOT, "%-10s %s%n", "Report", html.toAbsolutePath());
        }
    }

    private static Variant convert(Path onnx, Path dir, String precision, boolean fp16) {
        ConvertOptions options = new ConvertOptions(onnx, "demo_" + precision.toLowerCase(Locale.ROOT), dir,
                List.of(), List.of(), List.of(), new float[0], new float[0], null, false, fp16, null);
        ModelConverter.Result r = ModelConverter.convert(options);
        return new Variant(precision, r.files().xml(), r.files().binBytes());
    }

    /** Times sync inferences of the demo picture for the set time, after warming up as long; returns the scores. */
    private Timed benchmark(Variant v, PrintWriter out) {
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(v.xml(), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setInput(DemoModel.INPUT, DemoModel.syntheticImage());
            request.infer();
            long measureNanos = benchmarkMillis * 1_000_000L;
            // Warm up at least as long as we measure, and on until HotSpot has compiled what the variant runs (its
            // kernels run interpreted at first; INT8's took 7-30 ms per inference instead of 0.13 ms on a busy
            // machine): the measured period is then the steady state, and its throughput agrees with its latency.
            WarmUp warmUp = WarmUp.run(request::infer, measureNanos, measureNanos + MAX_EXTRA_WARM_UP_NANOS);
            MeasurementLoop loop = new MeasurementLoop(System::nanoTime, new MeasurementLoop.Limits(0, measureNanos),
                    MeasurementLoop.Progress.NONE);
            MeasurementLoop.Measured m = loop.runSync(request::infer);
            Statistics s = Statistics.of(m.latenciesNanos(), m.durationNanos(), 1, 50);
            out.printf(Locale.ROOT, "  %-8s %,10d %10.3f %10.3f %,10.0f %9.1f%s%n", v.name(), v.binBytes(),
                    s.latencyMs(), s.averageMs(), s.throughputFps(), warmUp.nanos() / 1e9,
                    warmUp.settled() ? "" : " (HotSpot still compiling)");
            return new Timed(request.getOutput(DemoModel.OUTPUT).toFloatArray(), s, m.latenciesNanos());
        }
    }

    private static String top3(float[] p) {
        return IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i))
                .limit(3)
                .map(i -> String.format(Locale.ROOT, "class %d %.3f", i, p[i]))
                .collect(Collectors.joining(", "));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
