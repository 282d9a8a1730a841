package dev.infero.cli.report;

import dev.infero.core.device.ExecutionConfig;
import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.ModelComparison;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infero report}: one HTML page comparing a model's variants by size, speed, drift and accuracy. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model and its variants (e.g. FP32, FP16, INT8) and write one self-contained HTML "
                + "page (inline CSS and SVG, no script, opens offline): a summary table (size, parameters, FLOPs, "
                + "latency median/p90 at 1 thread, throughput at 1 and N threads, drift from the FP32 reference, "
                + "accuracy from --accuracy), charts (latency distribution, time per layer type, per-layer drift "
                + "of each variant along the network, speed vs accuracy), the inputs, the machine and the commands "
                + "that reproduce every number.",
            "  infero report -m ir/model_fp32.xml -m ir/model_fp16.xml -m int8/model_int8.xml -o report.html",
            "  infero report -m optimized/ -i images/ --accuracy accuracy.json -o report.html"})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "A model (.xml or .onnx) or a folder of them (e.g. optimize's output); repeatable. The "
                    + "first FP32 model is the reference for drift.")
    List<Path> models;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.html", description = "The report to write.")
    Path output;

    @Option(names = {"-i", "--input"}, paramLabel = "PATH",
            description = "Images or .npy files (file or folder) to time and compare on; default: random inputs in "
                    + "0..255.")
    Path input;

    @Option(names = "--accuracy", paramLabel = "FILE.json",
            description = "Accuracy metrics written by 'infero accuracy --json', shown per model.")
    Path accuracy;

    @Option(names = {"-t", "--time"}, paramLabel = "MS", defaultValue = "2000",
            description = "Duration of each timed run in milliseconds; default ${DEFAULT-VALUE}.")
    long timeMs;

    @Option(names = {"-nthreads", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Threads of the throughput run (default: all cores).")
    int threads;

    @Option(names = {"-n", "--samples"}, paramLabel = "N", defaultValue = "32",
            description = "Inputs the variants are compared on; default ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--profile-runs", paramLabel = "N", defaultValue = "20",
            description = "Inferences averaged for the per-layer counters (0: no layer-time chart); default "
                    + "${DEFAULT-VALUE}.")
    int profileRuns;

    @Option(names = "--no-per-layer", description = "Skip the per-layer drift (faster on large models).")
    boolean noPerLayer;

    @Option(names = "-d", paramLabel = "DEVICE", defaultValue = "CPU", description = "Device; default ${DEFAULT-VALUE}.")
    String device;

    @Override
    public Integer call() throws IOException {
        if (timeMs < 1 || samples < 1 || threads < 0 || profileRuns < 0) {
            throw new InferoException("--time and --samples must be at least 1, --threads and --profile-runs not "
                    + "negative");
        }
        ExecutionConfig.checkThreads("--threads", threads, Runtime.getRuntime().availableProcessors());
        HtmlReport.checkWritable(output);
        PrintWriter out = spec.commandLine().getOut();
        PrintStream log = System.err;
        List<Path> files = modelFiles();
        ReportData.Accuracy acc = accuracy == null ? null : AccuracyFile.read(accuracy);
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        var settings = new Measurements.Settings(timeMs, nThreads, profileRuns, device);
        List<ReportData.Variant> variants = new ArrayList<>();
        List<ReportData.LayerDrift> layerDrift = new ArrayList<>();
        try (Core core = new Core()) {
            if (!core.availableDevices().contains(device)) {
                throw new InferoException("-d " + device + ": no such device; available: " + core.availableDevices());
            }
            List<ReportData.Variant> described = new ArrayList<>();
            for (Path f : files) {
                described.add(Measurements.describe(core, f, null));
            }
            described = named(described);
            int ref = 0;
            for (int i = 0; i < described.size(); i++) {
                if (described.get(i).precision().equals("FP32")) {
                    ref = i;
                    break;
                }
            }
            ReportData.Variant reference = described.remove(ref);
            described.addFirst(reference);
            Path refFile = Path.of(reference.file());
            List<Tensor[]> inputs = Measurements.inputs(refFile, input, samples, 0);
            if (inputs.isEmpty()) {
                throw new InferoException("no usable inputs in " + input);
            }
            List<String> notes = new ArrayList<>(notes(settings));
            String refPrep = preprocessing(core, refFile);
            for (ReportData.Variant v : described) {
                String prep = preprocessing(core, Path.of(v.file()));
                if (!prep.equals(refPrep)) {
                    notes.add("Warning: " + v.name() + " embeds other input preprocessing than " + reference.name()
                            + " (" + (prep.isEmpty() ? "none" : prep) + " vs " + (refPrep.isEmpty() ? "none" : refPrep)
                            + "): both get the same inputs, so its drift includes that difference.");
                }
            }
            List<ReportData.Variant> timed = Measurements.measure(core, described, inputs.getFirst(), settings, log);
            for (int i = 0; i < timed.size(); i++) {
                ReportData.Variant v = described.get(i);
                ReportData.Variant measured = timed.get(i);
                if (v != reference) {
                    ModelComparison.Report r = ModelComparison.compare(refFile, Path.of(v.file()), inputs,
                            !noPerLayer, null);
                    measured = Measurements.withDrift(measured, Measurements.drift(reference.name(), r));
                    if (!noPerLayer) {
                        layerDrift.add(Measurements.layerDrift(v.name(), reference.name(), r));
                    }
                }
                variants.add(measured);
            }
            List<String> inputLines = List.of(input == null
                    ? inputs.size() + " random inputs, uniform in 0..255 (seed 0); timing uses the first"
                    : inputs.size() + " inputs from " + input + " (resized to the model input, 0..255 RGB); "
                    + "timing uses the first");
            ReportData data = new ReportData("Infero report: " + reference.file(), Measurements.machine(device),
                    variants, layerDrift, acc, inputLines, commands(variants, reference, nThreads), notes);
            HtmlReport.write(data, output);
        }
        out.printf(Locale.ROOT, "Report written to %s (%d variants; reference %s)%n", output, variants.size(),
                variants.getFirst().name());
        for (ReportData.Variant v : variants) {
            out.printf(Locale.ROOT, "  %-10s median %8.3f ms  p90 %8.3f ms  %s%n", v.name(), v.latency().latencyMs(),
                    v.p90Ms(), v.drift() == null ? "reference" : String.format(Locale.ROOT, "cosine %.6f",
                            v.drift().cosine()));
        }
        return 0;
    }

    /** The model files: given files, and the .xml (else .onnx) models of given folders, sorted. */
    private List<Path> modelFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path m : models) {
            if (Files.isDirectory(m)) {
                List<Path> found;
                try (Stream<Path> s = Files.list(m)) {
                    found = s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".xml")).sorted().toList();
                }
                if (found.isEmpty()) {
                    try (Stream<Path> s = Files.list(m)) {
                        found = s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".onnx")).sorted()
                                .toList();
                    }
                }
                if (found.isEmpty()) {
                    throw new InferoException("-m " + m + ": no .xml or .onnx model in this folder");
                }
                files.addAll(found);
            } else if (Files.isRegularFile(m)) {
                files.add(m);
            } else {
                throw new InferoException("-m " + m + ": no such model file or folder");
            }
        }
        return files;
    }

    /** The mean/scale/channel-order preprocessing convert embedded in a model ("" for none). */
    private static String preprocessing(Core core, Path model) {
        var m = core.readModel(model).graph().metadata();
        StringBuilder sb = new StringBuilder();
        for (String k : new String[] {"mean_values", "scale_values", "scale"}) {
            String v = m.get("conversion_parameters/" + k);
            if (v != null) {
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(v);
            }
        }
        if (Boolean.parseBoolean(m.getOrDefault("conversion_parameters/reverse_input_channels", "false"))) {
            sb.append(sb.isEmpty() ? "" : ", ").append("reverse_input_channels");
        }
        return sb.toString();
    }

    /** Names the variants by precision, or by file name where precisions repeat. */
    private static List<ReportData.Variant> named(List<ReportData.Variant> vs) {
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (ReportData.Variant v : vs) {
            if (!seen.add(v.precision())) {
                repeated.add(v.precision());
            }
        }
        List<ReportData.Variant> out = new ArrayList<>();
        for (ReportData.Variant v : vs) {
            String name = repeated.contains(v.precision())
                    ? Path.of(v.file()).getFileName().toString().replaceFirst("\\.(xml|onnx)$", "") : v.precision();
            out.add(new ReportData.Variant(name, v.file(), v.precision(), v.sizeBytes(), v.parameters(), v.flops(),
                    null, Double.NaN, null, 0, null, List.of(), null));
        }
        return out;
    }

    private List<String> commands(List<ReportData.Variant> variants, ReportData.Variant reference, int nThreads) {
        List<String> c = new ArrayList<>();
        c.add("# this report");
        c.add("infero report " + String.join(" ", spec.commandLine().getParseResult().originalArgs().stream()
                .map(Shell::quote).toList()));
        String in = input == null ? "" : " -i " + Shell.quote(input.toString());
        long seconds = Math.max(1, (timeMs + 999) / 1000);
        for (ReportData.Variant v : variants) {
            String m = Shell.quote(v.file());
            c.add("# " + v.name() + ": parameters and FLOPs; latency (1 thread); throughput (" + nThreads
                    + " threads); time per layer type");
            c.add("infero info " + m);
            c.add("infero benchmark -m " + m + " -d " + device + in + " -api sync -hint latency -nthreads 1 -t "
                    + seconds + " -latency_percentile 50");
            c.add("infero benchmark -m " + m + " -d " + device + in + " -api async -hint throughput -nthreads "
                    + nThreads + " -t " + seconds);
            c.add("infero benchmark -m " + m + " -d " + device + in + " -api sync -hint latency -nthreads 1 -niter "
                    + Math.max(1, profileRuns) + " -pc");
            if (v != reference) {
                c.add("infero compare " + Shell.quote(reference.file()) + " " + m
                        + (input == null ? " --random " + samples : " -i " + Shell.quote(input.toString()) + " -n "
                        + samples) + (noPerLayer ? "" : " --per-layer"));
            }
        }
        if (accuracy != null) {
            c.add("# accuracy: from " + accuracy + ", written by 'infero accuracy --json'");
        }
        return c;
    }

    private static List<String> notes(Measurements.Settings s) {
        return List.of(String.format(Locale.ROOT, "Latency: one thread, synchronous inferences for %d ms per "
                + "variant in 3 rounds alternating between the variants, after a warm-up of each (the JVM compiles "
                + "the kernels during the first runs); median and 90th percentile as benchmark_app computes them. "
                + "Throughput: %d threads, asynchronous requests with the THROUGHPUT hint for %d ms. Numbers from a "
                + "shared or busy machine vary from run to run: compare ratios within one report.", s.durationMs(),
                s.threads(),
                s.durationMs()));
    }

    /** Quoting for the commands shown in the report. */
    static final class Shell {
        private Shell() {
        }

        static String quote(String s) {
            return s.matches("[A-Za-z0-9_./=:,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
        }
    }
}
