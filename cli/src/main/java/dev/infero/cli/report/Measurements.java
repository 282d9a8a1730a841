package dev.infero.cli.report;

import dev.infero.api.AsyncInferQueue;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.cli.ModelSize;
import dev.infero.cli.benchmark.MeasurementLoop;
import dev.infero.cli.benchmark.ModelSummary;
import dev.infero.cli.benchmark.PerfCounters;
import dev.infero.cli.benchmark.Statistics;
import dev.infero.cli.benchmark.SystemInfo;
import dev.infero.cli.quantize.SampleFiles;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.CalibrationData;
import dev.infero.quantize.DriftMetrics;
import dev.infero.quantize.ModelComparison;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fills {@link ReportData} from real runs with the benchmark's own machinery ({@link MeasurementLoop},
 * {@link Statistics}, {@link PerfCounters}) and the quantize module's {@link ModelComparison}: nothing here measures
 * differently from {@code infero benchmark} and {@code infero compare}.
 */
public final class Measurements {
    /**
     * How long and how wide to measure.
     *
     * @param durationMs    each timed run (1-thread latency, N-thread throughput)
     * @param threads       threads of the throughput run (0: skip it)
     * @param profileRuns   inferences averaged for the per-layer counters (0: skip)
     * @param device        device name
     */
    public record Settings(long durationMs, int threads, int profileRuns, String device) {
    }

    private Measurements() {
    }

    /** The machine and runtime the numbers come from. */
    public static ReportData.Machine machine(String device) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        String jitText = jit == null ? "off (interpreter only)"
                : "on: " + jit.getName() + " (Infero's kernels are Java Vector API code compiled by the JVM's JIT)";
        return new ReportData.Machine(SystemInfo.cpuModel(), Runtime.getRuntime().availableProcessors(),
                SystemInfo.cpuFeatures() + " (" + System.getProperty("os.arch") + ")", SystemInfo.vectorWidth(),
                SystemInfo.javaVersion() + " " + System.getProperty("java.vm.name", ""), jitText,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), SystemInfo.inferoVersion(),
                device);
    }

    /**
     * Inputs for {@code model}: up to {@code count} images or {@code .npy} files from {@code images} (resized to the
     * input, 0..255, as {@code compare -i} reads them), or random values in 0..255 when {@code images} is null.
     */
    public static List<Tensor[]> inputs(Path model, Path images, int count, long seed) {
        List<PortInfo> ports;
        try (Core core = new Core()) {
            ports = core.readModel(model).inputs();
        }
        if (images == null) {
            return SampleFiles.random(ports, count, seed);
        }
        if (ports.size() != 1) {
            throw new InferoException("-i feeds single-input models; " + model + " has " + ports.size() + " inputs");
        }
        return CalibrationData.load(images, ports.getFirst(), SampleFiles.reader(), count, false, 0, null).stream()
                .map(t -> new Tensor[] {t}).toList();
    }

    /** Size, parameters and FLOPs of a model file, with nothing measured yet. */
    public static ReportData.Variant describe(Core core, Path file, String name) {
        Model model = core.readModel(file);
        ModelSize size = ModelSize.of(model.graph());
        return new ReportData.Variant(name, file.toString(), ModelSummary.precision(model.graph()),
                ModelSummary.weightBytes(file), size.parameters(), size.flops(), null, Double.NaN, null, 0, null,
                List.of(), null);
    }

    /** Rounds the 1-thread latency runs are split into, alternating between the variants. */
    static final int ROUNDS = 3;

    /**
     * {@code bases} with their 1-thread latency, N-thread throughput and per-layer-type time measured on
     * {@code input}. The latency runs alternate: every variant is compiled and warmed up first, then each runs
     * {@value #ROUNDS} times for a third of the duration, in turn, so that a busy spell of a shared machine or the
     * JVM's compiler does not fall on one variant only.
     */
    public static List<ReportData.Variant> measure(Core core, List<ReportData.Variant> bases, Tensor[] input,
                                                   Settings s, PrintStream log) {
        int n = bases.size();
        List<CompiledModel> compiled = new ArrayList<>();
        List<InferRequest> requests = new ArrayList<>();
        List<List<long[]>> runs = new ArrayList<>();
        long[] durations = new long[n];
        try {
            for (ReportData.Variant v : bases) {
                CompiledModel c = core.compileModel(core.readModel(Path.of(v.file())), s.device(),
                        Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "1"));
                compiled.add(c);
                InferRequest r = c.createInferRequest();
                bind(r, input);
                requests.add(r);
                runs.add(new ArrayList<>());
            }
            for (InferRequest r : requests) {
                warmUp(r::infer, s.durationMs());
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < n; i++) {
                    MeasurementLoop.Measured m = new MeasurementLoop(System::nanoTime,
                            new MeasurementLoop.Limits(0, Math.max(1, s.durationMs() / ROUNDS) * 1_000_000L),
                            MeasurementLoop.Progress.NONE).runSync(requests.get(i)::infer);
                    runs.get(i).add(m.latenciesNanos());
                    durations[i] += m.durationNanos();
                }
            }
        } finally {
            compiled.forEach(CompiledModel::close);
        }
        List<ReportData.Variant> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ReportData.Variant base = bases.get(i);
            long[] all = runs.get(i).stream().flatMapToLong(java.util.Arrays::stream).toArray();
            Statistics latency = Statistics.of(all, durations[i], 1, 50);
            Statistics p90 = Statistics.of(all, durations[i], 1, 90);
            double[] latenciesMs = new double[all.length];
            for (int k = 0; k < all.length; k++) {
                latenciesMs[k] = all[k] / 1e6;
            }
            log(log, "%s: 1 thread, median %.3f ms over %d inferences", base.name(), latency.latencyMs(),
                    latency.count());
            Model model = core.readModel(Path.of(base.file()));
            Statistics throughput = s.threads() > 0 ? throughput(core, model, input, s) : null;
            if (throughput != null) {
                log(log, "%s: %d threads, %.1f inferences/s", base.name(), s.threads(), throughput.throughputFps());
            }
            List<ReportData.LayerTime> layerTimes = s.profileRuns() > 0 ? layerTimes(core, model, input, s)
                    : List.of();
            out.add(new ReportData.Variant(base.name(), base.file(), base.precision(), base.sizeBytes(),
                    base.parameters(), base.flops(), latency, p90.latencyMs(), latenciesMs, s.threads(), throughput,
                    layerTimes, base.drift()));
        }
        return out;
    }

    /** Asynchronous requests on {@code threads} threads with the THROUGHPUT hint, after a warm-up. */
    static Statistics throughput(Core core, Model model, Tensor[] input, Settings s) {
        try (CompiledModel compiled = core.compileModel(model, s.device(),
                Map.of("PERFORMANCE_HINT", "THROUGHPUT", "INFERENCE_NUM_THREADS", String.valueOf(s.threads())))) {
            AsyncInferQueue<Long> queue = new AsyncInferQueue<>(compiled, 0);
            for (int r = 0; r < queue.size(); r++) {
                bind(queue.get(r), input);
            }
            warmUp(queue.get(0)::infer, s.durationMs());
            MeasurementLoop.Measured m = new MeasurementLoop(System::nanoTime,
                    new MeasurementLoop.Limits(0, s.durationMs() * 1_000_000L), MeasurementLoop.Progress.NONE)
                    .runAsync(queue);
            return Statistics.of(m.latenciesNanos(), m.durationNanos(), 1, 50);
        }
    }

    /** Per-layer-type time of one inference, averaged over {@code profileRuns} runs with counters on, 1 thread. */
    public static List<ReportData.LayerTime> layerTimes(Core core, Model model, Tensor[] input, Settings s) {
        try (CompiledModel compiled = core.compileModel(model, s.device(),
                Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "1", "PERF_COUNT", "YES"))) {
            InferRequest request = compiled.createInferRequest();
            request.setProfiling(true);
            bind(request, input);
            request.infer();
            List<List<PerfCounters.Row>> runs = new ArrayList<>();
            for (int i = 0; i < s.profileRuns(); i++) {
                request.infer();
                runs.add(PerfCounters.rows(request.getProfilingInfo()));
            }
            return layerTimes(PerfCounters.average(runs));
        }
    }

    /** Rows of counters grouped by layer type. */
    public static List<ReportData.LayerTime> layerTimes(List<PerfCounters.Row> rows) {
        return PerfCounters.byType(rows).stream()
                .map(t -> new ReportData.LayerTime(t.layerType(), t.count(), t.realMs())).toList();
    }

    /** A comparison report turned into the variant's drift (first output) and its per-layer drift. */
    public static ReportData.Drift drift(String referenceName, ModelComparison.Report r) {
        ModelComparison.TensorDrift out = r.outputs().getFirst();
        DriftMetrics m = out.metrics();
        return new ReportData.Drift(referenceName, out.name(), r.samples(), m.cosine(), m.sqnrDb(),
                m.top1Agreement(), m.maxAbsError());
    }

    /** The intermediate tensors of a comparison, in graph order. */
    public static ReportData.LayerDrift layerDrift(String variant, String reference, ModelComparison.Report r) {
        List<ReportData.LayerPoint> pts = r.layers().stream().map(d -> new ReportData.LayerPoint(d.name(),
                d.producer(), d.metrics().sqnrDb(), d.metrics().cosine(), d.growthDb())).toList();
        return new ReportData.LayerDrift(variant, reference, pts);
    }

    /** {@code v} with {@code drift} set. */
    public static ReportData.Variant withDrift(ReportData.Variant v, ReportData.Drift drift) {
        return new ReportData.Variant(v.name(), v.file(), v.precision(), v.sizeBytes(), v.parameters(), v.flops(),
                v.latency(), v.p90Ms(), v.latenciesMs(), v.threads(), v.throughput(), v.layerTimes(), drift);
    }

    /**
     * Inferences for a quarter of the measured time (at least one, at most 2 s) before measuring: the JVM compiles
     * the kernels' hot loops during the first runs, and a cold start would be timed as the model's latency.
     */
    static void warmUp(Runnable inference, long durationMs) {
        long until = System.nanoTime() + Math.min(2000, durationMs / 4) * 1_000_000L;
        do {
            inference.run();
        } while (System.nanoTime() < until);
    }

    private static void bind(InferRequest request, Tensor[] input) {
        for (int i = 0; i < input.length; i++) {
            request.setInput(i, input[i]);
        }
    }

    private static void log(PrintStream log, String format, Object... args) {
        if (log != null) {
            log.println("[ INFO ] " + String.format(java.util.Locale.ROOT, format, args));
        }
    }
}
