package dev.infero.cli.benchmark;

import dev.infero.api.AsyncInferQueue;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.api.io.Progress;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark_app procedure: steps 1-3 once, steps 4-11 for each model, then the comparison table. */
final class Benchmark {
    /** A problem with the options found once the model is known (an input name that does not exist, ...). */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    /** What one model's run produced, for the comparison table and the HTML report. */
    record ModelResult(Path model, ModelSummary summary, Statistics statistics, long[] latenciesNanos,
                       List<PerfCounters.Row> counters, int requests) {
    }

    private static final int STEPS = 11;
    /** The longest warm-up after the first inference ({@link WarmUp}: until HotSpot stops compiling). */
    private static final long MAX_WARM_UP_NANOS = 10_000_000_000L;
    private final BenchmarkOptions options;
    private final PrintStream out;
    private final Map<String, String> commandLine;

    Benchmark(BenchmarkOptions options, PrintStream out, Map<String, String> commandLine) {
        this.options = options;
        this.out = out;
        this.commandLine = commandLine;
    }

    List<ModelResult> run() {
        step(1, "Parsing and validating input arguments");
        info("Parsing input parameters");
        step(2, "Loading Infero Runtime");
        info("Infero version: " + SystemInfo.inferoVersion() + " (Java " + SystemInfo.javaVersion() + ")");
        info("CPU: " + SystemInfo.cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        info("CPU features: " + SystemInfo.cpuFeatures());
        info("Kernel vector width: " + SystemInfo.vectorWidth() + " (FloatVector.SPECIES_PREFERRED)");
        info("CPU kernels: " + SystemInfo.kernels());
        try (Core core = new Core()) {
            info("Available devices: " + String.join(", ", core.availableDevices()));
            if (!core.availableDevices().contains(options.device())) {
                throw new UsageError("-d " + options.device() + ": no such device; available: "
                        + String.join(", ", core.availableDevices())
                        + (options.device().equals("ORT") ? " (the ORT device needs the device-ort module's jar)" : ""));
            }
            step(3, "Setting device configuration");
            options.warnings().forEach(Benchmark.this::warn);
            options.deviceConfig().forEach((k, v) -> info("  " + k + ": " + v));
            List<ModelResult> results = new ArrayList<>();
            for (int i = 0; i < options.models().size(); i++) {
                Path model = options.models().get(i);
                if (options.models().size() > 1) {
                    info("");
                    info("Model " + (i + 1) + "/" + options.models().size() + ": " + model);
                }
                results.add(new ModelRun(core, model, suffix(model)).run());
            }
            if (results.size() > 1) {
                Comparison.print(out, results);
                if (options.writesReports()) {
                    Comparison.writeCsv(reportFolder(), results);
                }
            }
            return results;
        }
    }

    private String suffix(Path model) {
        if (options.models().size() == 1) {
            return "";
        }
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return "_" + (dot > 0 ? name.substring(0, dot) : name);
    }

    private Path reportFolder() {
        return options.reportFolder() == null ? Path.of(".") : options.reportFolder();
    }

    private void step(int n, String title) {
        out.println("[Step " + n + "/" + STEPS + "] " + title);
    }

    private void info(String message) {
        out.println("[ INFO ] " + message);
    }

    private void warn(String message) {
        out.println("[ WARNING ] " + message);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Steps 4-11 for one model. */
    private final class ModelRun {
        private final Core core;
        private final Path file;
        private final String suffix;
        private final Map<String, String> configuration = new LinkedHashMap<>();
        private final Map<String, Object> results = new LinkedHashMap<>();

        ModelRun(Core core, Path file, String suffix) {
            this.core = core;
            this.file = file;
            this.suffix = suffix;
        }

        ModelResult run() {
            step(4, "Reading model files");
            info("Loading model files");
            long t0 = System.nanoTime();
            Model model = core.readModel(file);
            double readMs = (System.nanoTime() - t0) / 1e6;
            info("Read model took " + ms(readMs) + " ms");
            results.put("read model time (ms)", readMs);
            info("Original model I/O parameters:");
            printPorts(model);

            step(5, "Resizing model to match image sizes and given batch");
            t0 = System.nanoTime();
            boolean reshaped = reshape(model);
            List<InputFiller.InputSpec> inputs = inputSpecs(model);
            int batch = batchOf(inputs);
            info("Model batch size: " + batch);
            if (reshaped) {
                info("Reshape model took " + ms((System.nanoTime() - t0) / 1e6) + " ms");
            }

            step(6, "Configuring input of the model");
            printPorts(model, inputs);

            step(7, "Loading the model to the device");
            t0 = System.nanoTime();
            try (CompiledModel compiled = core.compileModel(model, options.device(), options.deviceConfig())) {
                double compileMs = (System.nanoTime() - t0) / 1e6;
                info("Compile model took " + ms(compileMs) + " ms");
                results.put("compile model time (ms)", compileMs);

                step(8, "Querying optimal runtime parameters");
                info("Model:");
                compiled.properties().forEach((k, v) -> info("  " + k + ": " + v));
                return measure(model, compiled, inputs, batch);
            }
        }

        private ModelResult measure(Model model, CompiledModel compiled, List<InputFiller.InputSpec> inputs,
                                    int batch) {
            step(9, "Creating infer requests and preparing input tensors");
            int nireq = !options.async() ? 1
                    : options.nireq() > 0 ? options.nireq() : compiled.optimalNumberOfInferRequests();
            long iterations = options.iterations();
            if (options.async() && iterations % nireq != 0) {
                long rounded = (iterations / nireq + 1) * nireq;
                warn("Number of iterations was aligned by request number from " + iterations + " to " + rounded
                        + " using number of requests " + nireq);
                iterations = rounded;
            }
            long seconds = options.durationSeconds() == 0 && iterations == 0 ? 60 : options.durationSeconds();
            InputFiller filler = new InputFiller(options.inputFiles());
            if (options.inputFiles().isEmpty()) {
                warn("No input files were given: all inputs will be filled with random values!");
            }
            info("Inputs are filled with " + filler.describe());
            List<List<Tensor>> data = new ArrayList<>();
            for (int r = 0; r < nireq; r++) {
                data.add(filler.fill(inputs, r));
            }
            AsyncInferQueue<Long> queue = new AsyncInferQueue<>(compiled, nireq);
            for (int r = 0; r < nireq; r++) {
                for (int i = 0; i < inputs.size(); i++) {
                    queue.get(r).setInput(i, data.get(r).get(i));
                }
            }

            String mode = options.async() ? "asynchronously" : "synchronously";
            String limits = (iterations > 0 ? iterations + " iterations" : "")
                    + (iterations > 0 && seconds > 0 ? ", " : "") + (seconds > 0 ? seconds * 1000 + " ms duration" : "");
            step(10, "Measuring performance (Start inference " + mode + ", " + nireq + " inference requests using "
                    + compiled.properties().getOrDefault("NUM_STREAMS", "1") + " streams for " + options.device()
                    + ", limits: " + limits + ")");
            info("Benchmarking in inference only mode (inputs filling are not included in measurement loop).");
            long t0 = System.nanoTime();
            queue.get(0).infer();
            double firstMs = (System.nanoTime() - t0) / 1e6;
            info("First inference took " + ms(firstMs) + " ms");
            results.put("first inference time (ms)", firstMs);
            // benchmark_app measures after one warm-up inference; on a JVM the kernels and the Java around them are
            // still being compiled then (BlazeFace: a 1.2 s inference inside a 3 s run on a busy machine), so the
            // measured period would mix warm-up into the throughput. Warm up until HotSpot stops compiling.
            WarmUp warmUp = WarmUp.run(queue.get(0)::infer, 0, MAX_WARM_UP_NANOS);
            info("Warm-up: " + warmUp.inferences() + " more inferences in " + ms(warmUp.nanos() / 1e6) + " ms"
                    + (warmUp.settled() ? " until HotSpot stopped compiling"
                    : ", HotSpot still compiling at the limit of " + MAX_WARM_UP_NANOS / 1_000_000_000L + " s"));
            results.put("warm-up time (ms)", warmUp.nanos() / 1e6);

            Progress bar = new Progress("Measuring", 0, System.err, options.progress());
            MeasurementLoop loop = new MeasurementLoop(System::nanoTime,
                    new MeasurementLoop.Limits(iterations, seconds * 1_000_000_000L), bar::update);
            MeasurementLoop.Measured measured = options.async() ? loop.runAsync(queue) : loop.runSync(queue.get(0)::infer);
            bar.finish();
            Statistics stats = Statistics.of(measured.latenciesNanos(), measured.durationNanos(), batch,
                    options.latencyPercentile());

            step(11, "Dumping statistics report");
            List<List<PerfCounters.Row>> counters = new ArrayList<>();
            for (int r = 0; r < queue.size(); r++) {
                counters.add(PerfCounters.rows(queue.get(r).getProfilingInfo()));
            }
            if (options.perfCounters()) {
                for (int r = 0; r < counters.size(); r++) {
                    PerfCounters.print(out, "Performance counts for " + r + "-th infer request", counters.get(r));
                }
                PerfCounters.printSummary(out, PerfCounters.average(counters));
                // Models with dynamic input dimensions: plans compiled per concrete input shape (CPU device).
                compiled.properties().forEach((k, v) -> {
                    if (k.startsWith("SHAPE_PLANS_")) {
                        info(k + ": " + v);
                    }
                });
            }
            if (options.execGraphPath() != null) {
                writeExecGraph(model, compiled, data.getFirst());
            }
            printStatistics(stats, compiled);
            fillReport(model, compiled, stats, nireq, batch, iterations, seconds);
            if (options.writesReports()) {
                Path folder = reportFolder();
                Reports.write(folder, suffix, new Reports.Run(commandLine, configuration, results,
                        options.reportType(), counters), options.jsonStats())
                        .forEach(f -> info("Report written to " + f));
            }
            return new ModelResult(file, ModelSummary.of(file, model.graph()), stats, measured.latenciesNanos(),
                    PerfCounters.average(counters), nireq);
        }

        /** One more inference with counters on, so the executed graph shows kernels and times without slowing the run. */
        private void writeExecGraph(Model model, CompiledModel compiled, List<Tensor> inputs) {
            InferRequest r = compiled.createInferRequest();
            r.setProfiling(true);
            for (int i = 0; i < inputs.size(); i++) {
                r.setInput(i, inputs.get(i));
            }
            r.infer();
            var written = ExecGraph.write(model.graph(), r.getProfilingInfo(), options.execGraphPath());
            info("Executable graph written to " + written.xml());
        }

        private void printStatistics(Statistics s, CompiledModel compiled) {
            info("Execution Devices: [" + compiled.properties().getOrDefault("EXECUTION_DEVICES", options.device())
                    + "]");
            info(String.format(Locale.ROOT, "Count:            %d iterations", s.count()));
            info(String.format(Locale.ROOT, "Duration:         %.2f ms", s.durationMs()));
            info("Latency:");
            info(String.format(Locale.ROOT, "   %-14s %.2f ms", s.latencyLabel() + ":", s.latencyMs()));
            info(String.format(Locale.ROOT, "   %-14s %.2f ms", "Average:", s.averageMs()));
            info(String.format(Locale.ROOT, "   %-14s %.2f ms", "Min:", s.minMs()));
            info(String.format(Locale.ROOT, "   %-14s %.2f ms", "Max:", s.maxMs()));
            info(String.format(Locale.ROOT, "Throughput:   %.2f FPS", s.throughputFps()));
        }

        private void fillReport(Model model, CompiledModel compiled, Statistics s, int nireq, int batch,
                                long iterations, long seconds) {
            configuration.put("topology", model.name());
            configuration.put("target device", options.device());
            configuration.put("API", options.async() ? "async" : "sync");
            configuration.put("inference_only", "true");
            configuration.put("precision", ModelSummary.precision(model.graph()));
            configuration.put("batch size", Integer.toString(batch));
            configuration.put("number of iterations", Long.toString(iterations));
            configuration.put("number of parallel infer requests", Integer.toString(nireq));
            configuration.put("duration (ms)", Long.toString(seconds * 1000));
            compiled.properties().forEach(configuration::put);
            configuration.put("infero version", SystemInfo.inferoVersion());
            configuration.put("cpu features", SystemInfo.cpuFeatures());
            configuration.put("vector width", SystemInfo.vectorWidth());
            configuration.put("cpu kernels", SystemInfo.kernels());
            results.put("total execution time (ms)", s.durationMs());
            results.put("total number of iterations", s.count());
            results.put("latency (ms)", s.latencyMs());
            results.put("latency percentile", s.percentile());
            results.put("avg latency", s.averageMs());
            results.put("min latency", s.minMs());
            results.put("max latency", s.maxMs());
            results.put("throughput", s.throughputFps());
        }

        /** Applies -shape and -b; returns whether the model was reshaped. */
        private boolean reshape(Model model) {
            checkNames(model, options.shapes().keySet(), "-shape");
            checkNames(model, options.layouts().keySet(), "-layout");
            checkNames(model, options.dataShapes().keySet(), "-data_shape");
            boolean reshaped = false;
            for (PortInfo p : model.inputs()) {
                PartialShape s = perInput(options.shapes(), p.name());
                if (s != null) {
                    model.reshape(p.name(), s);
                    reshaped = true;
                }
            }
            if (options.batch() > 0) {
                boolean any = false;
                for (PortInfo p : model.inputs()) {
                    int n = layoutOf(p.name(), p.shape()).indexOf('N');
                    if (n >= 0 && p.shape().hasRank()) {
                        int[] dims = p.shape().dimsOrDynamic().clone();
                        dims[n] = options.batch();
                        model.reshape(p.name(), PartialShape.of(dims));
                        any = true;
                    }
                }
                if (!any) {
                    throw new UsageError("-b: no input has a batch (N) dimension; give one with -layout, e.g. "
                            + "-layout [NCHW]");
                }
                reshaped = true;
            }
            return reshaped;
        }

        private List<InputFiller.InputSpec> inputSpecs(Model model) {
            boolean allStatic = model.inputs().stream().allMatch(p -> p.shape().isStatic());
            if (allStatic && !options.dataShapes().isEmpty()) {
                throw new UsageError("-data_shape is for models with dynamic inputs, and every input of "
                        + model.name() + " is static; use -shape to reshape it");
            }
            List<InputFiller.InputSpec> specs = new ArrayList<>();
            for (PortInfo p : model.inputs()) {
                int[] dims = p.shape().isStatic() ? p.shape().toArray() : perInput(options.dataShapes(), p.name());
                if (dims == null) {
                    throw new UsageError("input '" + p.name() + "' has the dynamic shape " + p.shape()
                            + "; give its size with -shape or -data_shape, e.g. -data_shape " + p.name() + "[...]");
                }
                if (!p.shape().accepts(dims)) {
                    throw new UsageError("-data_shape " + Arrays.toString(dims).replace(" ", "") + " does not fit input '"
                            + p.name() + "' of shape " + p.shape());
                }
                specs.add(new InputFiller.InputSpec(p.name(), p.type(), dims, layoutOf(p.name(), p.shape())));
            }
            return specs;
        }

        private int batchOf(List<InputFiller.InputSpec> inputs) {
            for (InputFiller.InputSpec s : inputs) {
                int n = s.layout().indexOf('N');
                if (n >= 0) {
                    return s.shape()[n];
                }
            }
            return 1;
        }

        private String layoutOf(String input, PartialShape shape) {
            String given = perInput(options.layouts(), input);
            if (given != null) {
                if (shape.hasRank() && given.length() != shape.rank()) {
                    throw new UsageError("-layout " + given + " has " + given.length() + " dimensions but input '"
                            + input + "' has rank " + shape.rank());
                }
                return given;
            }
            return guessLayout(shape);
        }

        private void checkNames(Model model, java.util.Set<String> names, String option) {
            Benchmark.checkNames(model, file, names, option);
        }

        private void printPorts(Model model) {
            info("Model inputs:");
            for (PortInfo p : model.inputs()) {
                info("    " + p.name() + " : " + p.type() + " / " + layoutOf(p.name(), p.shape()) + " / " + p.shape());
            }
            info("Model outputs:");
            for (PortInfo p : model.outputs()) {
                info("    " + p.name() + " : " + p.type() + " / " + p.shape());
            }
        }

        private void printPorts(Model model, List<InputFiller.InputSpec> inputs) {
            info("Model inputs:");
            for (InputFiller.InputSpec s : inputs) {
                info("    " + s.name() + " : " + s.type() + " / [" + String.join(",", s.layout().split("")) + "] / "
                        + Arrays.toString(s.shape()).replace(" ", ""));
            }
            info("Model outputs:");
            for (PortInfo p : model.outputs()) {
                info("    " + p.name() + " : " + p.type() + " / " + p.shape());
            }
        }
    }

    /** A per-input option's value for {@code input}: its own, or the one given for every input. */
    /** Refuses an {@code option} (-shape, -layout, ...) that names something other than an input of {@code model}. */
    static void checkNames(Model model, Object file, java.util.Set<String> names, String option) {
        List<String> inputs = model.inputs().stream().map(PortInfo::name).toList();
        for (String n : names) {
            if (!n.isEmpty() && !inputs.contains(n)) {
                throw new UsageError(option + " names '" + n + "', which is not an input of " + file
                        + "; its inputs are " + inputs);
            }
        }
    }

    /** The value given for {@code input}: under its name, else the unnamed one (for all inputs), else null. */
    static <T> T perInput(Map<String, T> values, String input) {
        T v = values.get(input);
        return v != null ? v : values.get("");
    }

    /** NCHW for image-like 4-D inputs (3 or 1 channels), NHWC when channels come last, NC for 2-D, else unknown. */
    static String guessLayout(PartialShape shape) {
        if (!shape.hasRank()) {
            return "?";
        }
        int rank = shape.rank();
        if (rank == 4) {
            int c1 = shape.dim(1);
            int c3 = shape.dim(3);
            if (c1 == 1 || c1 == 3) {
                return "NCHW";
            }
            if (c3 == 1 || c3 == 3) {
                return "NHWC";
            }
            return "NCHW";
        }
        return switch (rank) {
            case 2 -> "NC";
            case 3 -> "NCW";
            default -> "?".repeat(Math.max(rank, 1));
        };
    }
}
