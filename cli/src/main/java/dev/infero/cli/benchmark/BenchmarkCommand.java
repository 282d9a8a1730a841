package dev.infero.cli.benchmark;

import dev.infero.api.AsyncInferQueue;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.api.io.Progress;
import dev.infero.core.device.PerformanceHint;
import dev.infero.core.types.PartialShape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infero benchmark}: OpenVINO benchmark_app's options, steps and report, on Infero's devices. Usage errors
 * (unknown, malformed or contradictory options) exit with 2, failures while benchmarking with 1.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure inference latency and throughput of a model (OpenVINO benchmark_app's options). "
                + "Several -m compare models in one table.")
public final class BenchmarkCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "-m", required = true, paramLabel = "MODEL",
            description = "Model (.xml IR or .onnx); repeat to compare several models.")
    List<Path> models;

    @Option(names = "-d", paramLabel = "DEVICE", defaultValue = "CPU",
            description = "Device: CPU (default), or ORT when the ONNX Runtime device is installed.")
    String device;

    @Option(names = "-i", paramLabel = "PATH",
            description = "Folder (or file) of .npy arrays or images for the inputs; random values otherwise.")
    Path input;

    @Option(names = "-b", paramLabel = "N", description = "Batch size: sets the N dimension of the inputs.")
    Integer batch;

    @Option(names = "-shape", paramLabel = "SHAPES",
            description = "Reshape the model: [1,3,224,224] or in1[1,3,224,224],in2[1,10]; ? or -1 dynamic.")
    String shape;

    @Option(names = "-data_shape", paramLabel = "SHAPES",
            description = "Input data shapes for a model with dynamic inputs, same syntax as -shape.")
    String dataShape;

    @Option(names = "-layout", paramLabel = "LAYOUTS", description = "Input layouts: [NCHW] or in1[NCHW],in2[NC].")
    String layout;

    @Option(names = "-api", paramLabel = "sync|async",
            description = "sync: one request at a time; async (default except for -hint latency): all requests in flight.")
    String api;

    @Option(names = "-niter", paramLabel = "N", description = "Number of iterations (async: rounded up to a multiple of -nireq).")
    Long niter;

    @Option(names = "-t", paramLabel = "SECONDS",
            description = "Measuring time in seconds (default 60 s when -niter is not given).")
    Long time;

    @Option(names = "-nireq", paramLabel = "N",
            description = "Number of infer requests (default: the device's OPTIMAL_NUMBER_OF_INFER_REQUESTS).")
    Integer nireq;

    @Option(names = "-nstreams", paramLabel = "N|AUTO", description = "Number of streams (default: from the hint).")
    String nstreams;

    @Option(names = "-nthreads", paramLabel = "N", description = "Number of threads for all streams (default: all cores).")
    Integer nthreads;

    @Option(names = "-hint", paramLabel = "latency|throughput|none",
            description = "Performance hint (default: latency with -api sync, else throughput); none takes -nstreams/-nthreads as given.")
    String hint;

    @Option(names = "-pc", description = "Print per-layer performance counters; with --compare-with, per-layer times "
            + "of both devices matched layer by layer (from extra profiled rounds after the timed ones).")
    boolean perfCounters;

    @Option(names = "-report_type", paramLabel = "TYPE",
            description = "no_counters, average_counters or detailed_counters.")
    String reportType;

    @Option(names = "-report_folder", paramLabel = "DIR", description = "Write the CSV reports to DIR.")
    Path reportFolder;

    @Option(names = "-json_stats", description = "Also write the reports as JSON.")
    boolean jsonStats;

    @Option(names = "-exec_graph_path", paramLabel = "FILE.xml",
            description = "Write the executed graph (kernels, times) as IR XML.")
    Path execGraphPath;

    @Option(names = "-progress", description = "Show a progress bar while measuring (default: on a terminal).")
    boolean progress;

    @Option(names = "-latency_percentile", paramLabel = "P", defaultValue = "50",
            description = "Latency percentile to report, 1..100 (default 50: the median).")
    int latencyPercentile;

    @Option(names = "--compare-with", paramLabel = "DEVICE",
            description = "Measure each -m on -d and on DEVICE (e.g. ORT) in alternating sync rounds and print one "
                    + "table: model, threads, both median latencies, ratio. -shape gives both devices the same "
                    + "concrete input shape (sizes for dynamic dimensions only). With -pc also a per-layer table "
                    + "(peer_layers.csv/.json in the reports).")
    String compareWith;

    @Option(names = "--threads", paramLabel = "N[,N...]", split = ",",
            description = "With --compare-with: the thread counts to compare at (default: 1 and all cores).")
    List<Integer> compareThreads;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Also write the run as an HTML page (summary, latency distribution, with -pc the time per "
                    + "layer type); see 'infero report' for FP32/FP16/INT8 side by side.")
    Path htmlReport;

    PrintStream out = System.out;

    @Override
    public Integer call() {
        BenchmarkOptions options;
        try {
            options = options();
            if (compareWith != null) {
                peerPlan(options);
                if (htmlReport != null) {
                    throw new IllegalArgumentException("--report does not go with --compare-with");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try {
            if (compareWith != null) {
                comparePeers(options);
            } else {
                if (htmlReport != null) {
                    dev.infero.cli.report.HtmlReport.checkWritable(htmlReport);
                }
                List<Benchmark.ModelResult> results = new Benchmark(options, out, commandLineRecord()).run();
                if (htmlReport != null) {
                    BenchmarkHtml.write(htmlReport, options, results, spec.commandLine().getParseResult()
                            .originalArgs());
                    out.println("[ INFO ] HTML report written to " + htmlReport);
                }
            }
        } catch (Benchmark.UsageError e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return 0;
    }

    private void comparePeers(BenchmarkOptions options) {
        PeerComparison.Plan plan = peerPlan(options);
        List<PeerComparison.Row> rows;
        try (dev.infero.api.Core core = new dev.infero.api.Core();
             Progress bar = new Progress("Comparing", 0, System.err, options.progress())) {
            rows = new PeerComparison(plan, out, bar::update).run(core);
        }
        PeerComparison.print(out, plan.device(), plan.peer(), rows);
        PeerComparison.printLayers(out, plan.device(), plan.peer(), rows);
        if (options.writesReports()) {
            Path folder = options.reportFolder() == null ? Path.of(".") : options.reportFolder();
            PeerComparison.write(folder, plan.device(), plan.peer(), rows, options.jsonStats())
                    .forEach(f -> out.println("[ INFO ] Report written to " + f));
        }
    }

    /** What {@code --compare-with} measures; the options that only make sense for one device's run are refused. */
    PeerComparison.Plan peerPlan(BenchmarkOptions options) {
        String peer = compareWith.toUpperCase(Locale.ROOT);
        if (peer.equals(options.device())) {
            throw new IllegalArgumentException("--compare-with " + compareWith + " names the device -d already "
                    + "measures; give another one, e.g. --compare-with ORT");
        }
        Map<String, Object> refused = new LinkedHashMap<>();
        refused.put("-api async", "async".equalsIgnoreCase(api) ? api : null);
        refused.put("-nireq", nireq);
        refused.put("-nstreams", nstreams);
        refused.put("-exec_graph_path", execGraphPath);
        refused.put("-report_type", reportType);
        refused.put("-data_shape", dataShape);
        refused.put("-b", batch);
        refused.forEach((option, value) -> {
            if (value != null) {
                throw new IllegalArgumentException(option + " does not go with --compare-with, which measures "
                        + "synchronous latency of the models as they are, one request per device");
            }
        });
        if (nthreads != null && compareThreads != null) {
            throw new IllegalArgumentException("give the thread counts with --threads or -nthreads, not both");
        }
        List<Integer> threads = compareThreads != null ? List.copyOf(compareThreads)
                : nthreads != null ? List.of(nthreads)
                : java.util.stream.Stream.of(1, Runtime.getRuntime().availableProcessors()).distinct().toList();
        for (int t : threads) {
            if (t < 1) {
                throw new IllegalArgumentException("--threads: thread counts must be positive, got " + t);
            }
        }
        long seconds = time != null ? time : niter != null ? 0 : 5;
        return new PeerComparison.Plan(options.device(), peer, options.models(), threads, seconds,
                niter == null ? 0 : niter, options.inputFiles(), options.shapes(), perfCounters);
    }

    /** The options as given on the command line, for the report's "Command line parameters". */
    private Map<String, String> commandLineRecord() {
        Map<String, String> given = new LinkedHashMap<>();
        if (spec == null) {
            return given;
        }
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            Object v = o.getValue();
            given.put(o.longestName(), v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList())
                    : String.valueOf(v));
        }
        return given;
    }

    /** Validates the parsed options; usage errors are {@link IllegalArgumentException}s with the message to show. */
    BenchmarkOptions options() {
        List<String> warnings = new ArrayList<>();
        PerformanceHint h;
        if (hint == null) {
            // As benchmark_app: a synchronous run measures latency, so it gets the latency settings.
            h = "sync".equalsIgnoreCase(api) ? PerformanceHint.LATENCY : PerformanceHint.THROUGHPUT;
            warnings.add("Performance hint was not explicitly specified in command line. Device(" + device
                    + ") performance hint will be set to " + h + ".");
        } else {
            try {
                h = PerformanceHint.parse(hint);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("-hint must be latency, throughput or none, got '" + hint + "'");
            }
        }
        boolean async;
        if (api == null) {
            async = h != PerformanceHint.LATENCY;
        } else {
            async = switch (api.toLowerCase(Locale.ROOT)) {
                case "async" -> true;
                case "sync" -> false;
                default -> throw new IllegalArgumentException("-api must be sync or async, got '" + api + "'");
            };
        }
        requireNonNegative("-niter", niter);
        requireNonNegative("-t", time);
        requireNonNegative("-nireq", nireq);
        requireNonNegative("-b", batch);
        requireNonNegative("-nthreads", nthreads);
        if (niter != null && niter == 0 && time != null && time == 0) {
            throw new IllegalArgumentException("-niter 0 and -t 0 leave no limit: give a positive one");
        }
        if (!async && nireq != null && nireq > 1) {
            throw new IllegalArgumentException("-nireq " + nireq + " needs -api async: the sync API runs one request");
        }
        String streams = nstreams == null ? null : nstreams.trim().toUpperCase(Locale.ROOT);
        if (streams != null && !streams.equals("AUTO") && !streams.matches("[1-9]\\d*")) {
            throw new IllegalArgumentException("-nstreams must be a positive number or AUTO, got '" + nstreams + "'");
        }
        if (streams != null && h == PerformanceHint.LATENCY && !streams.equals("1")) {
            throw new IllegalArgumentException("-nstreams " + nstreams + " contradicts -hint latency (one stream); "
                    + "use -hint throughput or -hint none with -nstreams");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (nthreads != null) {
            ExecutionConfig.checkThreads("-nthreads", nthreads, cores);
        }
        if (streams != null && !streams.equals("AUTO")) {
            ExecutionConfig.checkThreads("-nstreams", streams.length() > 18 ? Long.MAX_VALUE : Long.parseLong(streams),
                    cores);
        }
        if (compareThreads != null) {
            for (int t : compareThreads) {
                ExecutionConfig.checkThreads("--threads", t, cores);
            }
        }
        if (nireq != null && nireq > AsyncInferQueue.MAX_JOBS) {
            throw new ResourceLimitException("-nireq is " + nireq + ", more than " + AsyncInferQueue.MAX_JOBS
                    + " requests in flight");
        }
        if (latencyPercentile < 1 || latencyPercentile > 100) {
            throw new IllegalArgumentException("-latency_percentile must be in 1..100, got " + latencyPercentile);
        }
        ReportType type = reportType == null ? ReportType.NO_COUNTERS : ReportType.parse(reportType);
        if (reportType != null && reportFolder == null && !jsonStats) {
            throw new IllegalArgumentException("-report_type needs -report_folder (or -json_stats) to say where the "
                    + "report goes");
        }
        if (execGraphPath != null) {
            if (models.size() > 1) {
                throw new IllegalArgumentException("-exec_graph_path takes one model, but " + models.size()
                        + " -m were given");
            }
            if (!execGraphPath.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml")) {
                throw new IllegalArgumentException("-exec_graph_path must name an .xml file, got " + execGraphPath);
            }
        }
        for (Path m : models) {
            if (!java.nio.file.Files.isRegularFile(m)) {
                throw new IllegalArgumentException("-m: model file " + m + " does not exist");
            }
        }
        Map<String, PartialShape> shapes = new LinkedHashMap<>();
        if (shape != null) {
            PerInputArgument.parse("-shape", shape).forEach((k, v) -> shapes.put(k, PerInputArgument.shape("-shape", v, false)));
        }
        Map<String, int[]> dataShapes = new LinkedHashMap<>();
        if (dataShape != null) {
            PerInputArgument.parse("-data_shape", dataShape).forEach((k, v) ->
                    dataShapes.put(k, PerInputArgument.shape("-data_shape", v, true).toArray()));
        }
        Map<String, String> layouts = new LinkedHashMap<>();
        if (layout != null) {
            PerInputArgument.parse("-layout", layout).forEach((k, v) -> layouts.put(k, PerInputArgument.layout("-layout", v)));
        }
        List<Path> files = input == null ? List.of() : InputFiller.listFiles(input);
        boolean showProgress = progress || Progress.isTerminal();
        return new BenchmarkOptions(List.copyOf(models), device.toUpperCase(Locale.ROOT), files,
                batch == null ? 0 : batch, shapes, dataShapes, layouts, async, niter == null ? 0 : niter,
                time == null ? 0 : time, nireq == null ? 0 : nireq, streams, nthreads == null ? 0 : nthreads, h,
                perfCounters || type.needsCounters(), type, reportFolder, jsonStats, execGraphPath, showProgress,
                latencyPercentile, List.copyOf(warnings));
    }

    private static void requireNonNegative(String option, Number value) {
        if (value != null && value.longValue() < 0) {
            throw new IllegalArgumentException(option + " must not be negative, got " + value);
        }
    }
}
