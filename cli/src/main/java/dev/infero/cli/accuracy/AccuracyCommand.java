package dev.infero.cli.accuracy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.accuracy.AccuracyChecker;
import dev.infero.accuracy.AccuracyConfig;
import dev.infero.accuracy.AccuracyConfigException;
import dev.infero.accuracy.ModelEvaluation;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infero accuracy}: the Accuracy Checker, from its YAML configuration or from options. */
@Command(name = "accuracy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure model accuracy on an annotated dataset, as OpenVINO's Accuracy Checker does: an Open "
                + "Model Zoo YAML config (-c) or options (-m/-d). Several models give one table side by side (metric, "
                + "delta vs the first, size, latency). Exit code 1 when a metric misses its reference ± threshold.",
            "  infero accuracy -c squeezenet.yml",
            "  infero accuracy -c squeezenet.yml -m fp32.xml -m fp16.xml -m int8.xml --json acc.json",
            "  infero accuracy -m mnist-8.onnx -d mnist/ --metric accuracy --top-k 1,5"})
public final class AccuracyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Accuracy Checker YAML configuration.")
    Path config;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "Model(s) to evaluate (.xml or .onnx); with -c they replace the launcher's model.")
    List<Path> models = new ArrayList<>();

    @Option(names = {"-d", "--dataset"}, paramLabel = "DIR", description = "Options form: the dataset folder: class "
            + "folders (CIFAR-style), images with labels.csv (ImageNet-style) or the MNIST IDX files.")
    Path dataset;

    @Option(names = "--annotation", paramLabel = "FILE",
            description = "Options form: labels file (val.txt or CSV file,class_index) for images in -d.")
    Path annotation;

    @Option(names = "--metric", paramLabel = "TYPE", defaultValue = "accuracy",
            description = "Options form: metric type (default ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--top-k", split = ",", paramLabel = "K", description = "Options form: top-k for accuracy "
            + "(default 1).")
    List<Integer> topK = new ArrayList<>();

    @Option(names = "--adapter", paramLabel = "NAME", defaultValue = "classification",
            description = "Options form: adapter (default ${DEFAULT-VALUE}).")
    String adapter;

    @Option(names = "--resize", paramLabel = "N", description = "Options form: resize the shorter side to N.")
    Integer resize;

    @Option(names = "--crop", paramLabel = "N", description = "Options form: centre crop N×N.")
    Integer crop;

    @Option(names = "--mean", paramLabel = "V", split = ",", description = "Options form: mean per channel (model "
            + "channel order).")
    List<Float> mean = new ArrayList<>();

    @Option(names = "--std", paramLabel = "V", split = ",", description = "Options form: std per channel.")
    List<Float> std = new ArrayList<>();

    @Option(names = "--bgr", description = "Options form: feed BGR (default RGB).")
    boolean bgr;

    @Option(names = {"-n", "--subsample"}, paramLabel = "N",
            description = "Evaluate N samples spread over the dataset (overrides subsample_size).")
    Integer subsample;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (docs/accuracy.md).")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        AccuracyConfig cfg = loadConfig();
        PrintStream progress = System.console() != null ? System.err : null;
        List<ModelEvaluation.Row> rows = ModelEvaluation.run(cfg, models, progress);
        print(out, rows);
        if (json != null) {
            writeJson(json, rows);
            out.println("[ INFO ] JSON written to " + json.toAbsolutePath());
        }
        boolean failed = false;
        for (ModelEvaluation.Row r : rows) {
            for (AccuracyChecker.MetricValue m : r.metrics()) {
                if (!m.meetsReference()) {
                    out.printf(Locale.ROOT, "[ WARNING ] %s %s: %s is outside the reference %s ± %s%n", r.name(),
                            m.name(), m.formatted(), m.reference(), m.threshold() == null ? 0 : m.threshold());
                    failed = true;
                }
            }
        }
        return failed ? 1 : 0;
    }

    private AccuracyConfig loadConfig() throws IOException {
        if (config != null) {
            if (dataset != null) {
                throw new InferoException("-c describes the dataset; do not also give -d");
            }
            return AccuracyConfig.read(config, !models.isEmpty(), subsample == null ? 0 : subsample);
        }
        if (models.isEmpty() || dataset == null) {
            throw new InferoException("give -c CONFIG, or -m MODEL and -d DATASET");
        }
        String yaml = OptionsConfig.yaml(dataset.toAbsolutePath(), annotation == null ? null
                        : annotation.toAbsolutePath(), metric, topK, adapter, resize, crop, mean, std, bgr,
                subsample);
        try {
            return AccuracyConfig.parse(yaml, Path.of("").toAbsolutePath(), null, true);
        } catch (AccuracyConfigException e) {
            throw new InferoException(e.getMessage().replace("models[0].datasets[0].", "")
                    .replace("models[0].launchers[0].", "--"));
        }
    }

    static void print(PrintWriter out, List<ModelEvaluation.Row> rows) {
        List<String> datasets = rows.stream().map(ModelEvaluation.Row::dataset).distinct().toList();
        for (String ds : datasets) {
            List<ModelEvaluation.Row> rs = rows.stream().filter(r -> r.dataset().equals(ds)).toList();
            out.printf(Locale.ROOT, "Dataset %s: %d samples%n", ds, rs.getFirst().samples());
            List<String> header = new ArrayList<>(List.of("model", "precision", "size bytes", "latency ms"));
            List<AccuracyChecker.MetricValue> firstMetrics = rs.getFirst().metrics();
            for (AccuracyChecker.MetricValue m : firstMetrics) {
                header.add(m.name());
                if (rs.size() > 1) {
                    header.add("delta");
                }
            }
            List<List<String>> table = new ArrayList<>();
            table.add(header);
            for (ModelEvaluation.Row r : rs) {
                List<String> row = new ArrayList<>(List.of(r.name(), r.precision(),
                        String.format(Locale.ROOT, "%,d", r.sizeBytes()),
                        ms(r.latencyMs())));
                for (int i = 0; i < r.metrics().size(); i++) {
                    AccuracyChecker.MetricValue m = r.metrics().get(i);
                    row.add(m.formatted());
                    if (rs.size() > 1) {
                        row.add(r == rs.getFirst() ? "—" : delta(m, m.value() - firstMetrics.get(i).value()));
                    }
                }
                table.add(row);
            }
            int[] widths = new int[header.size()];
            for (List<String> row : table) {
                for (int i = 0; i < row.size(); i++) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            }
            for (List<String> row : table) {
                StringBuilder line = new StringBuilder(" ");
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i);
                    line.append(' ').append(i == 0 ? pad(cell, widths[i]) : padLeft(cell, widths[i]));
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }

    /** Milliseconds with three significant decimals below 10 ms, two above. */
    static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.3f" : "%.2f", v);
    }

    static String delta(AccuracyChecker.MetricValue m, double d) {
        return m.percent() ? String.format(Locale.ROOT, "%+.2f", 100 * d) : String.format(Locale.ROOT, "%+.4g", d);
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }

    /** The JSON schema of docs/accuracy.md ({@code infero report --accuracy} reads it). */
    static void writeJson(Path file, List<ModelEvaluation.Row> rows) throws IOException {
        JsonMapper mapper = new JsonMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "infero accuracy");
        root.put("dataset", rows.getFirst().dataset());
        root.put("samples", rows.getFirst().samples());
        ArrayNode models = root.putArray("models");
        for (ModelEvaluation.Row r : rows) {
            ModelEvaluation.Row first = rows.stream().filter(x -> x.dataset().equals(r.dataset())).findFirst()
                    .orElseThrow();
            ObjectNode m = models.addObject();
            m.put("name", r.name());
            m.put("model", r.model().toString());
            m.put("precision", r.precision());
            m.put("size_bytes", r.sizeBytes());
            m.put("latency_ms", r.latencyMs());
            m.put("dataset", r.dataset());
            m.put("samples", r.samples());
            ArrayNode metrics = m.putArray("metrics");
            for (int i = 0; i < r.metrics().size(); i++) {
                AccuracyChecker.MetricValue v = r.metrics().get(i);
                ObjectNode o = metrics.addObject();
                o.put("name", v.name());
                o.put("type", v.type());
                o.put("value", v.value());
                o.put("delta", v.value() - first.metrics().get(i).value());
                o.put("higher_is_better", v.higherIsBetter());
                if (v.reference() != null) {
                    o.put("reference", v.reference());
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
