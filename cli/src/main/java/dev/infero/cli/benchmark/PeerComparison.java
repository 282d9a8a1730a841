package dev.infero.cli.benchmark;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.cli.io.Json;
import dev.infero.core.InferoException;
import dev.infero.core.device.Executable;
import dev.infero.core.device.PerformanceHint;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code infero benchmark --compare-with ORT}: two devices side by side on the same models, thread counts and
 * inputs. For each model and thread count both sides are compiled with the latency hint and the same
 * {@code INFERENCE_NUM_THREADS}, warmed up, then measured synchronously in alternating rounds (A, B, A, B, ...), so
 * that load from elsewhere on a shared machine falls on both alike. The table gives each side's median latency and
 * their ratio (first device / peer: below 1 means the first device is faster).
 */
final class PeerComparison {
    /** Measuring rounds per side; the latencies of all rounds are pooled. */
    static final int ROUNDS = 5;

    /** What to compare: the devices, models, thread counts and how long to measure each side of each row. */
    record Plan(String device, String peer, List<Path> models, List<Integer> threads, long secondsPerSide,
                long iterationsPerSide, List<Path> inputFiles, Map<String, PartialShape> shapes) {
    }

    /** One row of the table; {@code peerRuns}: what the peer runs (its {@code EXECUTED_MODEL}), or null. */
    record Row(Path model, int threads, Statistics device, Statistics peer, String peerRuns) {
        double ratio() {
            return device.latencyMs() / peer.latencyMs();
        }
    }

    private final Plan plan;
    private final PrintStream out;
    private final MeasurementLoop.Progress progress;

    PeerComparison(Plan plan, PrintStream out, MeasurementLoop.Progress progress) {
        this.plan = plan;
        this.out = out;
        this.progress = progress;
    }

    List<Row> run(Core core) {
        for (String d : List.of(plan.device(), plan.peer())) {
            if (!core.availableDevices().contains(d)) {
                throw new Benchmark.UsageError("device " + d + " is not available; available: "
                        + String.join(", ", core.availableDevices()));
            }
        }
        List<Row> rows = new ArrayList<>();
        int total = plan.models().size() * plan.threads().size();
        for (Path file : plan.models()) {
            for (int threads : plan.threads()) {
                Path peerFile = peerFile(file);
                out.printf(Locale.ROOT, "[ INFO ] %s, %d thread(s): %s vs %s%s%n", file.getFileName(), threads,
                        plan.device(), plan.peer(), peerFile.equals(file) ? "" : " (on " + peerFile.getFileName() + ")");
                int done = rows.size();
                rows.add(compare(core, file, threads, f -> progress.update((done + f) / total)));
            }
        }
        return rows;
    }

    private Row compare(Core core, Path file, int threads, MeasurementLoop.Progress rowProgress) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("PERFORMANCE_HINT", PerformanceHint.LATENCY.name());
        config.put("INFERENCE_NUM_THREADS", Integer.toString(threads));
        // Each side compiles its own reading of the file: a device may transform the graph it is given.
        // -shape fixes the same concrete shape on both sides: the device compiles for it, and the peer (which runs its
        // file as it is, e.g. ORT) gets inputs of that shape, which any dynamic dimension accepts.
        Model model = shaped(core.readModel(file), file);
        try (CompiledModel a = core.compileModel(shaped(core.readModel(file), file), plan.device(), config);
             CompiledModel b = core.compileModel(shaped(core.readModel(peerFile(file)), peerFile(file)), plan.peer(),
                     config)) {
            List<Tensor> inputs = new InputFiller(plan.inputFiles()).fill(inputSpecs(model, file), 0);
            String runs = b.property(Executable.EXECUTED_MODEL);
            if (runs != null) {
                out.printf(Locale.ROOT, "[ INFO ] %s runs %s%n", plan.peer(), runs);
            }
            InferRequest ra = request(a, inputs);
            InferRequest rb = request(b, inputs);
            MeasurementLoop.Limits warmUp = new MeasurementLoop.Limits(10, 200_000_000L);
            measure(ra, warmUp, MeasurementLoop.Progress.NONE);
            measure(rb, warmUp, MeasurementLoop.Progress.NONE);
            MeasurementLoop.Limits round = new MeasurementLoop.Limits(
                    divideUp(plan.iterationsPerSide(), ROUNDS), plan.secondsPerSide() * 1_000_000_000L / ROUNDS);
            List<MeasurementLoop.Measured> sideA = new ArrayList<>();
            List<MeasurementLoop.Measured> sideB = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                sideA.add(measure(ra, round, MeasurementLoop.Progress.NONE));
                sideB.add(measure(rb, round, MeasurementLoop.Progress.NONE));
                rowProgress.update((r + 1.0) / ROUNDS);
            }
            return new Row(file, threads, pooled(sideA), pooled(sideB), b.property(Executable.EXECUTED_MODEL));
        }
    }

    /**
     * The file the peer runs: an IR model's ONNX twin of the same name beside it when there is one (as
     * {@code quantize --format onnx} writes {@code NAME_int8.xml} and its QDQ export {@code NAME_int8.onnx}), so a
     * peer that reads ONNX only (ORT) runs the same model; otherwise the file itself.
     */
    static Path peerFile(Path file) {
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".xml")) {
            Path twin = file.resolveSibling(name.substring(0, name.length() - 4) + ".onnx");
            if (java.nio.file.Files.isRegularFile(twin)) {
                return twin;
            }
        }
        return file;
    }

    private static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    private static InferRequest request(CompiledModel compiled, List<Tensor> inputs) {
        InferRequest r = compiled.createInferRequest();
        for (int i = 0; i < inputs.size(); i++) {
            r.setInput(i, inputs.get(i));
        }
        return r;
    }

    private static MeasurementLoop.Measured measure(InferRequest request, MeasurementLoop.Limits limits,
                                                    MeasurementLoop.Progress progress) {
        return new MeasurementLoop(System::nanoTime, limits, progress).runSync(request::infer);
    }

    /**
     * {@code model} with the plan's -shape applied: each given shape must be concrete and fit the input as the file
     * declares it (only its dynamic dimensions can be chosen, since a peer may run the file as it is).
     */
    private Model shaped(Model model, Path file) {
        Benchmark.checkNames(model, file, plan.shapes().keySet(), "-shape");
        for (PortInfo p : model.inputs()) {
            PartialShape s = Benchmark.perInput(plan.shapes(), p.name());
            if (s == null) {
                continue;
            }
            if (!s.isStatic()) {
                throw new Benchmark.UsageError("-shape " + s + " for input '" + p.name() + "': --compare-with needs "
                        + "concrete sizes (no ? or -1), the same on both devices");
            }
            // A peer runs an ONNX file as it is; a model in any other format it runs as the reshaped graph's export.
            if (isOnnx(peerFile(file)) && !p.shape().accepts(s.toArray())) {
                throw new Benchmark.UsageError("-shape " + s + " does not fit input '" + p.name() + "' of " + file
                        + ", whose shape is " + p.shape() + ": with --compare-with, -shape can only give sizes to "
                        + "dynamic dimensions (the peer runs the ONNX file as it is)");
            }
            model.reshape(p.name(), s);
        }
        return model;
    }

    private static List<InputFiller.InputSpec> inputSpecs(Model model, Path file) {
        List<InputFiller.InputSpec> specs = new ArrayList<>();
        for (PortInfo p : model.inputs()) {
            if (!p.shape().isStatic()) {
                throw new Benchmark.UsageError("--compare-with needs static input shapes, but input '" + p.name()
                        + "' of " + file + " has the shape " + p.shape() + "; give it one with -shape, e.g. -shape "
                        + p.name() + example(p.shape()));
            }
            specs.add(new InputFiller.InputSpec(p.name(), p.type(), p.shape().toArray(),
                    Benchmark.guessLayout(p.shape())));
        }
        return specs;
    }

    /** The shape with 1 in place of each dynamic dimension, as -shape writes it: {@code [1,3,1,1]}. */
    private static String example(PartialShape shape) {
        if (!shape.hasRank()) {
            return "[...]";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.rank(); i++) {
            sb.append(i == 0 ? "" : ",").append(shape.dim(i) == PartialShape.DYNAMIC ? 1 : shape.dim(i));
        }
        return sb.append(']').toString();
    }

    private static Statistics pooled(List<MeasurementLoop.Measured> rounds) {
        int n = rounds.stream().mapToInt(m -> m.latenciesNanos().length).sum();
        long[] all = new long[n];
        long duration = 0;
        int at = 0;
        for (MeasurementLoop.Measured m : rounds) {
            System.arraycopy(m.latenciesNanos(), 0, all, at, m.latenciesNanos().length);
            at += m.latenciesNanos().length;
            duration += m.durationNanos();
        }
        return Statistics.of(all, duration, 1, 50);
    }

    private static long divideUp(long x, long y) {
        return (x + y - 1) / y;
    }

    /** The table, as Markdown so it can go into the docs as it is. */
    static void print(PrintStream out, String device, String peer, List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "[ INFO ] %s vs %s: median latency, sync, %d alternating rounds per side "
                + "(ratio = %s / %s, below 1 is faster)%n", device, peer, ROUNDS, device, peer);
        out.printf(Locale.ROOT, "| %-28s | %7s | %16s | %16s | %6s |%n", "model", "threads", device + " median (ms)",
                peer + " median (ms)", "ratio");
        out.printf(Locale.ROOT, "|%s|%s:|%s:|%s:|%s:|%n", "-".repeat(30), "-".repeat(8), "-".repeat(17),
                "-".repeat(17), "-".repeat(7));
        for (Row r : rows) {
            out.printf(Locale.ROOT, "| %-28s | %7d | %16.2f | %16.2f | %6.2f |%n", r.model().getFileName(),
                    r.threads(), r.device().latencyMs(), r.peer().latencyMs(), r.ratio());
        }
    }

    /** {@code peer_comparison.csv} (';'-separated) and, when asked, {@code peer_comparison.json}. */
    static List<Path> write(Path folder, String device, String peer, List<Row> rows, boolean json) {
        StringBuilder csv = new StringBuilder("model;threads;" + device + " median (ms);" + peer
                + " median (ms);ratio;" + device + " count;" + peer + " count;" + peer + " runs\n");
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s;%d;%.3f;%.3f;%.3f;%d;%d;%s%n", r.model(), r.threads(),
                    r.device().latencyMs(), r.peer().latencyMs(), r.ratio(), r.device().count(), r.peer().count(),
                    r.peerRuns() == null ? "" : r.peerRuns()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model().toString());
            m.put("threads", r.threads());
            m.put(device + " median (ms)", r.device().latencyMs());
            m.put(peer + " median (ms)", r.peer().latencyMs());
            m.put("ratio", r.ratio());
            m.put(device + " count", r.device().count());
            m.put(peer + " count", r.peer().count());
            if (r.peerRuns() != null) {
                m.put(peer + " runs", r.peerRuns());
            }
            list.add(m);
        }
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(folder);
            written.add(Files.writeString(folder.resolve("peer_comparison.csv"), csv));
            if (json) {
                written.add(Files.writeString(folder.resolve("peer_comparison.json"), Json.write(list)));
            }
        } catch (IOException e) {
            throw new InferoException("cannot write the comparison into " + folder + ": " + e.getMessage(), e);
        }
        return written;
    }
}
