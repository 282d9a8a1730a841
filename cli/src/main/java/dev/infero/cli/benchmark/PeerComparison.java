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
import dev.infero.core.device.ProfilingInfo;
import dev.infero.onnx.proto.Onnx.ModelProto;
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
    /** With -pc: profiled rounds per side after the timed ones, each as long as a timed round. */
    static final int PROFILED_ROUNDS = 2;

    /** What to compare: the devices, models, thread counts and how long to measure each side of each row. */
    record Plan(String device, String peer, List<Path> models, List<Integer> threads, long secondsPerSide,
                long iterationsPerSide, List<Path> inputFiles, Map<String, PartialShape> shapes, boolean perLayer) {
    }

    /**
     * One row of the table; {@code peerRuns}: what the peer runs (its {@code EXECUTED_MODEL}), or null;
     * {@code layers}: with -pc the per-layer comparison, else null.
     */
    record Row(Path model, int threads, Statistics device, Statistics peer, String peerRuns, PeerLayers.Table layers) {
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
            int steps = ROUNDS + (plan.perLayer() ? PROFILED_ROUNDS : 0);
            for (int r = 0; r < ROUNDS; r++) {
                sideA.add(measure(ra, round, MeasurementLoop.Progress.NONE));
                sideB.add(measure(rb, round, MeasurementLoop.Progress.NONE));
                rowProgress.update((r + 1.0) / steps);
            }
            PeerLayers.Table layers = null;
            if (plan.perLayer()) {
                layers = profile(core, file, config, model, inputs, warmUp, round,
                        f -> rowProgress.update((ROUNDS + f * PROFILED_ROUNDS) / steps));
            }
            return new Row(file, threads, pooled(sideA), pooled(sideB), b.property(Executable.EXECUTED_MODEL), layers);
        }
    }

    /**
     * -pc: both sides compiled once more with {@code PERF_COUNT=YES} (the timed rounds ran without counters), warmed
     * up and run in {@value #PROFILED_ROUNDS} alternating rounds as long as the timed ones; each layer's time is its
     * median over the runs (a device whose counters cover its whole session, ORT, reports its own medians), and
     * the layers are matched through the ONNX model the peer runs ({@link PeerLayers}).
     */
    private PeerLayers.Table profile(Core core, Path file, Map<String, String> config, Model model,
                                     List<Tensor> inputs, MeasurementLoop.Limits warmUp, MeasurementLoop.Limits round,
                                     MeasurementLoop.Progress progress) {
        Map<String, String> counted = new LinkedHashMap<>(config);
        counted.put("PERF_COUNT", "YES");
        Model peerModel = shaped(core.readModel(peerFile(file)), peerFile(file));
        try (CompiledModel a = core.compileModel(shaped(core.readModel(file), file), plan.device(), counted);
             CompiledModel b = core.compileModel(peerModel, plan.peer(), counted)) {
            Profiled pa = new Profiled(a, inputs);
            Profiled pb = new Profiled(b, inputs);
            pa.warmUp(warmUp);
            pb.warmUp(warmUp);
            for (int r = 0; r < PROFILED_ROUNDS; r++) {
                new MeasurementLoop(System::nanoTime, round, MeasurementLoop.Progress.NONE).runSync(pa::infer);
                new MeasurementLoop(System::nanoTime, round, MeasurementLoop.Progress.NONE).runSync(pb::infer);
                progress.update((r + 1.0) / PROFILED_ROUNDS);
            }
            List<ProfilingInfo> ca = pa.counters(plan.device(), file);
            List<ProfilingInfo> cb = pb.counters(plan.peer(), file);
            Path modelFile = modelFile(b, a, peerFile(file));
            ModelProto onnx = modelFile == null ? null : PeerLayers.readModel(modelFile, "the ONNX model");
            return PeerLayers.match(new PeerLayers.Side(ca, model.graph(), optimized(a)),
                    new PeerLayers.Side(cb, peerModel.graph(), optimized(b)), onnx, pa.runs(), pb.runs());
        }
    }

    /** The ONNX file the sides' layers are traced to: the one a side was given (ORT), or the model's own. */
    private static Path modelFile(CompiledModel peer, CompiledModel device, Path peerFile) {
        for (CompiledModel c : List.of(peer, device)) {
            String f = c.properties().get(Executable.EXECUTED_MODEL_FILE);
            if (f != null) {
                return Path.of(f);
            }
        }
        return isOnnx(peerFile) ? peerFile : null;
    }

    private static ModelProto optimized(CompiledModel c) {
        String f = c.properties().get(Executable.OPTIMIZED_MODEL_FILE);
        if (f == null) {
            return null;
        }
        Path file = Path.of(f);
        if (!Files.isRegularFile(file)) {
            throw new InferoException("the optimized model " + file + " that " + c.properties().getOrDefault(
                    "EXECUTION_DEVICES", "the device") + " reports does not exist");
        }
        return PeerLayers.readModel(file, "the optimized model");
    }

    /** One side's profiled request and the counters of its runs. */
    private static final class Profiled {
        final InferRequest request;
        final boolean session;
        final List<List<ProfilingInfo>> perRun = new ArrayList<>();
        int runs;

        Profiled(CompiledModel compiled, List<Tensor> inputs) {
            request = PeerComparison.request(compiled, inputs);
            request.setProfiling(true);
            session = Executable.PROFILE_SCOPE_SESSION.equals(compiled.properties().get(Executable.PROFILE_SCOPE));
        }

        /** Warm-up runs: not counted, except by a device whose counters cover its whole session. */
        void warmUp(MeasurementLoop.Limits limits) {
            int n = measure(request, limits, MeasurementLoop.Progress.NONE).latenciesNanos().length;
            if (session) {
                runs += n;
            }
        }

        void infer() {
            request.infer();
            runs++;
            if (!session) {
                perRun.add(request.getProfilingInfo());
            }
        }

        int runs() {
            return runs;
        }

        /** Each node's median over the runs (or the device's own over its session). */
        List<ProfilingInfo> counters(String device, Path file) {
            List<ProfilingInfo> out = session ? request.getProfilingInfo() : medians(perRun);
            if (out.stream().noneMatch(p -> p.status() == ProfilingInfo.Status.EXECUTED)) {
                throw new InferoException("device " + device + " gave no per-layer counters for " + file
                        + " (PERF_COUNT=YES)");
            }
            return out;
        }
    }

    /** Node by node (every run lists the same nodes in the same order), the median time over the runs. */
    static List<ProfilingInfo> medians(List<List<ProfilingInfo>> runs) {
        if (runs.isEmpty()) {
            return List.of();
        }
        List<ProfilingInfo> first = runs.getFirst();
        List<ProfilingInfo> out = new ArrayList<>();
        long[] t = new long[runs.size()];
        for (int i = 0; i < first.size(); i++) {
            for (int r = 0; r < runs.size(); r++) {
                t[r] = runs.get(r).get(i).realTimeNanos();
            }
            java.util.Arrays.sort(t);
            ProfilingInfo p = first.get(i);
            out.add(new ProfilingInfo(p.nodeName(), p.nodeType(), p.status(), p.execType(), t[t.length / 2]));
        }
        return out;
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

    static InferRequest request(CompiledModel compiled, List<Tensor> inputs) {
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

    /** {@code peer_layers.csv}: one line per matched group of every row, ';'-separated. */
    static String layersCsv(String device, String peer, List<Row> rows) {
        StringBuilder sb = new StringBuilder("model;threads;" + device + " layers;shape;" + device + " type;" + device
                + " exec types;" + peer + " nodes;" + peer + " ops;" + device + " ms;" + peer + " ms;ratio;gap ms\n");
        for (Row r : rows) {
            if (r.layers() == null) {
                continue;
            }
            for (PeerLayers.Group g : r.layers().groups()) {
                sb.append(String.join(";", r.model().toString(), Integer.toString(r.threads()), csv(g.deviceNames()),
                        g.shape(), g.deviceType(), csv(g.deviceExecTypes()), csv(g.peerNames()), csv(g.peerOps()),
                        ms(g.deviceMs()), ms(g.peerMs()), ms(g.ratio()), ms(g.gap()))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String csv(String s) {
        return s.replace(';', ',');
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** {@code peer_layers.json}: per row the groups, the sums by type, the unmatched layers and the totals. */
    static List<Object> layersJson(String device, String peer, List<Row> rows) {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            PeerLayers.Table t = r.layers();
            if (t == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model().toString());
            m.put("threads", r.threads());
            m.put("traced", t.traced());
            m.put(device + " profiled runs", t.deviceRuns());
            m.put(peer + " profiled runs", t.peerRuns());
            m.put(device + " median (ms)", r.device().latencyMs());
            m.put(peer + " median (ms)", r.peer().latencyMs());
            m.put(device + " sum of layers (ms)", t.deviceTotalMs());
            m.put(peer + " sum of layers (ms)", t.peerTotalMs());
            List<Object> groups = new ArrayList<>();
            for (PeerLayers.Group g : t.groups()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put(device + " layers", layers(g.device()));
                x.put(peer + " nodes", layers(g.peer()));
                x.put("shape", g.shape());
                x.put(device + " type", g.deviceType());
                x.put(peer + " ops", g.peerOps());
                x.put(device + " ms", g.deviceMs());
                x.put(peer + " ms", g.peerMs());
                x.put("ratio", g.ratio());
                x.put("gap ms", g.gap());
                groups.add(x);
            }
            m.put("groups", groups);
            List<Object> types = new ArrayList<>();
            for (PeerLayers.TypeTotal x : t.byType()) {
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("type", x.type());
                y.put("groups", x.groups());
                y.put(device + " ms", x.deviceMs());
                y.put(peer + " ms", x.peerMs());
                y.put("ratio", x.ratio());
                types.add(y);
            }
            m.put("by type", types);
            List<Object> unmatched = new ArrayList<>();
            for (PeerLayers.Unmatched u : t.unmatched()) {
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("device", u.device() ? device : peer);
                y.put("type", u.type());
                y.put("count", u.count());
                y.put("ms", u.ms());
                unmatched.add(y);
            }
            m.put("unmatched", unmatched);
            out.add(m);
        }
        return out;
    }

    private static List<Object> layers(List<PeerLayers.Layer> layers) {
        List<Object> out = new ArrayList<>();
        for (PeerLayers.Layer l : layers) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", l.name());
            x.put("type", l.type());
            x.put("exec type", l.execType());
            x.put("ms", l.ms());
            out.add(x);
        }
        return out;
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

    /** Per-layer tables, one per row that has them (-pc): groups by gap, sums by layer type, the unmatched rest. */
    static void printLayers(PrintStream out, String device, String peer, List<Row> rows) {
        for (Row r : rows) {
            PeerLayers.Table t = r.layers();
            if (t == null) {
                continue;
            }
            out.println();
            out.printf(Locale.ROOT, "[ INFO ] %s, %d thread(s): per layer, %s vs %s (each layer's median over %d / %d "
                            + "runs; %s; sorted by |gap|, ratio = %s / %s)%n", r.model().getFileName(),
                    r.threads(), device, peer, t.deviceRuns(), t.peerRuns(), t.traced(), device, peer);
            out.printf(Locale.ROOT, "| %-32s | %-18s | %-12s | %-34s | %-26s | %9s | %9s | %6s | %8s |%n",
                    device + " layers", "shape", device + " type", device + " exec type", peer + " op",
                    device + " ms", peer + " ms", "ratio", "gap ms");
            out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%s:|%s:|%s:|%s:|%n", "-".repeat(34), "-".repeat(20),
                    "-".repeat(14), "-".repeat(36), "-".repeat(28), "-".repeat(10), "-".repeat(10), "-".repeat(7),
                    "-".repeat(9));
            for (PeerLayers.Group g : t.groups()) {
                out.printf(Locale.ROOT, "| %-32s | %-18s | %-12s | %-34s | %-26s | %9.3f | %9.3f | %6.2f | %+8.3f |%n",
                        cell(g.deviceNames(), 32), cell(g.shape(), 18), cell(g.deviceType(), 12),
                        cell(g.deviceExecTypes(), 34), cell(g.peerOps(), 26), g.deviceMs(), g.peerMs(), g.ratio(),
                        g.gap());
            }
            out.printf(Locale.ROOT, "[ INFO ] by layer type (%s's type of each group's heaviest layer):%n", device);
            out.printf(Locale.ROOT, "| %-20s | %6s | %9s | %9s | %6s | %8s |%n", "type", "groups", device + " ms",
                    peer + " ms", "ratio", "gap ms");
            out.printf(Locale.ROOT, "|%s|%s:|%s:|%s:|%s:|%s:|%n", "-".repeat(22), "-".repeat(7), "-".repeat(10),
                    "-".repeat(10), "-".repeat(7), "-".repeat(9));
            for (PeerLayers.TypeTotal x : t.byType()) {
                out.printf(Locale.ROOT, "| %-20s | %6d | %9.3f | %9.3f | %6.2f | %+8.3f |%n", cell(x.type(), 20),
                        x.groups(), x.deviceMs(), x.peerMs(), x.ratio(), x.deviceMs() - x.peerMs());
            }
            double matchedDevice = t.groups().stream().mapToDouble(PeerLayers.Group::deviceMs).sum();
            double matchedPeer = t.groups().stream().mapToDouble(PeerLayers.Group::peerMs).sum();
            double unmatchedDevice = t.unmatched().stream().filter(PeerLayers.Unmatched::device)
                    .mapToDouble(PeerLayers.Unmatched::ms).sum();
            double unmatchedPeer = t.unmatched().stream().filter(u -> !u.device())
                    .mapToDouble(PeerLayers.Unmatched::ms).sum();
            out.printf(Locale.ROOT, "[ INFO ] matched: %s %.3f ms, %s %.3f ms in %d groups; unmatched: %s %.3f ms, "
                            + "%s %.3f ms%s%n", device, matchedDevice, peer, matchedPeer, t.groups().size(), device,
                    unmatchedDevice, peer, unmatchedPeer,
                    t.unmatched().isEmpty() ? "" : ":");
            for (PeerLayers.Unmatched u : t.unmatched()) {
                out.printf(Locale.ROOT, "[ INFO ]   %s %-20s %4d x %9.3f ms%n", u.device() ? device : peer, u.type(),
                        u.count(), u.ms());
            }
            out.printf(Locale.ROOT, "[ INFO ] sum of layers: %s %.3f ms, %s %.3f ms (whole-model medians %.3f / "
                            + "%.3f ms)%n", device, t.deviceTotalMs(), peer, t.peerTotalMs(), r.device().latencyMs(),
                    r.peer().latencyMs());
        }
    }

    private static String cell(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
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
        boolean layers = rows.stream().anyMatch(r -> r.layers() != null);
        try {
            Files.createDirectories(folder);
            written.add(Files.writeString(folder.resolve("peer_comparison.csv"), csv));
            if (json) {
                written.add(Files.writeString(folder.resolve("peer_comparison.json"), Json.write(list)));
            }
            if (layers) {
                written.add(Files.writeString(folder.resolve("peer_layers.csv"), layersCsv(device, peer, rows)));
                if (json) {
                    written.add(Files.writeString(folder.resolve("peer_layers.json"),
                            Json.write(layersJson(device, peer, rows))));
                }
            }
        } catch (IOException e) {
            throw new InferoException("cannot write the comparison into " + folder + ": " + e.getMessage(), e);
        }
        return written;
    }
}
