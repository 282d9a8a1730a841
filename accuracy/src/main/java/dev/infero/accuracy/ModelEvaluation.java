package dev.infero.accuracy;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.types.ElementType;
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
 * Evaluates several models on the datasets of a configuration — each launcher of each {@code models} entry, or the
 * given model files with the first entry's launcher settings (adapter, device) — and gives one row per model and
 * dataset: precision, size, median latency and metrics.
 */
public final class ModelEvaluation {
    /** One model on one dataset. */
    public record Row(String name, Path model, String precision, long sizeBytes, String dataset, int samples,
                      double latencyMs, List<AccuracyChecker.MetricValue> metrics) {
    }

    private ModelEvaluation() {
    }

    /** Evaluates {@code overrides} (may be empty: the configuration's own models) on every dataset. */
    public static List<Row> run(AccuracyConfig config, List<Path> overrides, PrintStream progress) {
        record Job(String name, AccuracyConfig.LauncherSpec launcher, Path model,
                   List<AccuracyConfig.DatasetSpec> datasets) {
        }
        List<Job> jobs = new ArrayList<>();
        if (overrides.isEmpty()) {
            for (AccuracyConfig.ModelSpec m : config.models()) {
                for (AccuracyConfig.LauncherSpec l : m.launchers()) {
                    String name = m.launchers().size() == 1 ? m.name() : m.name() + " (" + baseName(l.model()) + ")";
                    jobs.add(new Job(name, l, l.model(), m.datasets()));
                }
            }
        } else {
            AccuracyConfig.ModelSpec m = config.models().getFirst();
            for (Path p : overrides) {
                jobs.add(new Job(baseName(p), m.launchers().getFirst(), p, m.datasets()));
            }
        }
        List<Row> rows = new ArrayList<>();
        Map<AccuracyConfig.DatasetSpec, Map<String, AccuracyChecker.Prepared>> prepared = new LinkedHashMap<>();
        try (Core core = new Core()) {
            for (Job job : jobs) {
                Model model = core.readModel(job.model());
                String precision = precision(model.graph());
                long size = size(job.model());
                var input = AccuracyChecker.imageInput(model.inputs(), job.launcher());
                try (CompiledModel compiled = core.compileModel(model, job.launcher().device())) {
                    for (AccuracyConfig.DatasetSpec ds : job.datasets()) {
                        // Models with the same input share the decoded, preprocessed samples.
                        AccuracyChecker.Prepared data = prepared.computeIfAbsent(ds, k -> new LinkedHashMap<>())
                                .computeIfAbsent(input.type() + "" + input.shape(),
                                        k -> AccuracyChecker.prepare(ds, input));
                        AccuracyChecker.Evaluation e = AccuracyChecker.evaluate(compiled, data,
                                job.launcher().adapter(), null, false, progress);
                        rows.add(new Row(job.name(), job.model(), precision, size, e.dataset(), e.samples(),
                                e.medianLatencyMs(), e.metrics()));
                    }
                }
            }
        }
        return rows;
    }

    static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** INT8 when the graph has FakeQuantize, FP16 when its weights are stored as f16, else FP32. */
    public static String precision(Graph graph) {
        boolean f16 = false;
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FakeQuantize) {
                return "INT8";
            }
            if (n.op() instanceof Constant c && c.value().type() == ElementType.F16 && c.value().size() > 1) {
                f16 = true;
            }
        }
        return f16 ? "FP16" : "FP32";
    }

    /** The weights' size: the IR's {@code .bin}, or the model file. */
    public static long size(Path model) {
        try {
            String n = model.getFileName().toString();
            if (n.toLowerCase(Locale.ROOT).endsWith(".xml")) {
                Path bin = model.resolveSibling(n.substring(0, n.length() - 4) + ".bin");
                if (Files.isRegularFile(bin)) {
                    return Files.size(bin);
                }
            }
            return Files.size(model);
        } catch (IOException e) {
            return -1;
        }
    }
}
