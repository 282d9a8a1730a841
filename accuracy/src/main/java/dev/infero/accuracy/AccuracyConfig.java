package dev.infero.accuracy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An Open Model Zoo Accuracy Checker configuration, validated:
 * <pre>
 * models:
 *   - name: squeezenet1.1
 *     launchers:
 *       - framework: openvino          # or onnx / onnx_runtime (run on Infero's CPU device unless device says)
 *         model: squeezenet1.1.xml     # weights: the .bin beside it unless given
 *         adapter: classification     # or {type: blazeface, anchors: anchors.npy, ...}
 *         device: CPU
 *         inputs: [{name: data, type: INPUT}]
 *     datasets:
 *       - name: imagenet_samples
 *         data_source: imagenet-samples
 *         annotation_conversion: {converter: imagenet, annotation_file: imagenet-samples/labels.csv}
 *         reader: opencv_imread       # BGR; pillow_imread gives RGB
 *         subsample_size: 100
 *         preprocessing: [{type: resize, size: 256, aspect_ratio_scale: greater}, {type: crop, size: 227},
 *                         {type: normalization, mean: [104, 117, 123]}]
 *         metrics: [{type: accuracy, top_k: 1, reference: 0.63, threshold: 0.05}]
 * </pre>
 * Relative paths are resolved against the configuration's folder. Errors name the field, e.g.
 * {@code models[0].launchers[0].adapter: unknown adapter "yolo"; expected one of ...}.
 */
public record AccuracyConfig(Path file, List<ModelSpec> models) {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** One {@code models} entry. */
    public record ModelSpec(String name, List<LauncherSpec> launchers, List<DatasetSpec> datasets) {
    }

    /** A launcher: how to run the model and read its outputs; {@code model} is null when it comes from -m. */
    public record LauncherSpec(String framework, Path model, Path weights, Adapter adapter, String device,
                               String input, String field) {
    }

    /** A metric with the optional reference value and allowed deviation of the Accuracy Checker. */
    public record MetricSpec(Metric metric, Double reference, Double threshold) {
    }

    /** A dataset with its preprocessing and metrics. */
    public record DatasetSpec(Dataset dataset, Preprocessor preprocessor, List<MetricSpec> metrics, String field,
                              Path labelsFile) {
    }

    /** Reads {@code file}; with {@code modelsGiven} a launcher need not name its model (the caller supplies it). */
    public static AccuracyConfig read(Path file, boolean modelsGiven) {
        return read(file, modelsGiven, 0);
    }

    /** As {@link #read(Path, boolean)}, every dataset subsampled to {@code subsample} samples when it is positive. */
    public static AccuracyConfig read(Path file, boolean modelsGiven, int subsample) {
        if (!Files.isRegularFile(file)) {
            throw new InferoException("accuracy configuration " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text, file.toAbsolutePath().getParent(), file, modelsGiven, subsample);
        } catch (AccuracyConfigException e) {
            throw new AccuracyConfigException(file + ": " + e.getMessage());
        }
    }

    /** Parses configuration text; relative paths resolve against {@code base}. */
    public static AccuracyConfig parse(String text, Path base, Path file, boolean modelsGiven) {
        return parse(text, base, file, modelsGiven, 0);
    }

    /** As above, every dataset subsampled to {@code subsample} samples when it is positive. */
    public static AccuracyConfig parse(String text, Path base, Path file, boolean modelsGiven, int subsample) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new AccuracyConfigException("not valid YAML" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new AccuracyConfigException("empty configuration");
        }
        ConfigNode top = new ConfigNode(root, "", base);
        top.only("models", "evaluations", "global_definitions");
        List<ConfigNode> entries = top.objects("models", true);
        if (entries.isEmpty()) {
            throw new AccuracyConfigException("models: empty; describe at least one model");
        }
        List<ModelSpec> models = new ArrayList<>();
        for (ConfigNode m : entries) {
            m.only("name", "launchers", "datasets");
            String name = m.string("name", true);
            List<LauncherSpec> launchers = new ArrayList<>();
            for (ConfigNode l : m.objects("launchers", true)) {
                launchers.add(launcher(l, modelsGiven));
            }
            if (launchers.isEmpty()) {
                throw new AccuracyConfigException(m.at("launchers") + ": empty");
            }
            List<DatasetSpec> datasets = new ArrayList<>();
            for (ConfigNode d : m.objects("datasets", true)) {
                datasets.add(dataset(d, subsample));
            }
            if (datasets.isEmpty()) {
                throw new AccuracyConfigException(m.at("datasets") + ": empty");
            }
            models.add(new ModelSpec(name, List.copyOf(launchers), List.copyOf(datasets)));
        }
        return new AccuracyConfig(file, List.copyOf(models));
    }

    private static LauncherSpec launcher(ConfigNode l, boolean modelsGiven) {
        l.only("framework", "model", "weights", "adapter", "device", "inputs", "batch", "tags");
        String framework = l.string("framework", true).toLowerCase(Locale.ROOT);
        if (!List.of("openvino", "dlsdk", "onnx", "onnx_runtime").contains(framework)) {
            throw new AccuracyConfigException(l.at("framework") + ": expected openvino (or dlsdk), onnx or"
                    + " onnx_runtime, got \"" + framework + "\"");
        }
        Path model = l.file("model", !modelsGiven);
        Path weights = l.file("weights", false);
        if (model != null && weights == null && model.toString().toLowerCase(Locale.ROOT).endsWith(".xml")) {
            String n = model.getFileName().toString();
            weights = model.resolveSibling(n.substring(0, n.length() - 4) + ".bin");
            if (!Files.isRegularFile(weights)) {
                throw new AccuracyConfigException(l.at("weights") + ": missing, and " + weights + " does not exist");
            }
        }
        if (l.has("batch") && l.positiveInt("batch", 1) != 1) {
            throw new AccuracyConfigException(l.at("batch") + ": only batch 1 is supported");
        }
        Adapter adapter = Adapters.create(l);
        String device = l.string("device", "CPU");
        String input = null;
        List<ConfigNode> inputs = l.objects("inputs", false);
        for (ConfigNode in : inputs) {
            in.only("name", "type", "layout", "shape", "value", "precision");
            String type = in.string("type", "INPUT");
            if (type.equals("INPUT")) {
                if (input != null) {
                    throw new AccuracyConfigException(in.path() + ": a second image INPUT; Infero feeds one image"
                            + " input");
                }
                input = in.string("name", true);
            }
        }
        return new LauncherSpec(framework, model, weights, adapter, device, input, l.path());
    }

    private static DatasetSpec dataset(ConfigNode d, int subsampleOverride) {
        d.only("name", "data_source", "annotation_conversion", "reader", "subsample_size", "preprocessing",
                "metrics", "annotation", "dataset_meta", "postprocessing", "shuffle", "subsample_seed");
        String name = d.string("name", true);
        Path dataSource = d.file("data_source", false);
        ConfigNode conversion = d.object("annotation_conversion", false);
        if (conversion == null) {
            throw new AccuracyConfigException(d.at("annotation_conversion") + ": missing (Infero converts"
                    + " annotations itself; pickled .pickle annotations of the Accuracy Checker are not read)");
        }
        if (d.has("postprocessing") && !d.objects("postprocessing", false).isEmpty()) {
            throw new AccuracyConfigException(d.at("postprocessing") + ": not supported (adapters decode and"
                    + " map outputs to the original image themselves)");
        }
        int subsample = 0;
        if (d.has("subsample_size")) {
            String s = d.string("subsample_size", true).strip();
            try {
                subsample = s.endsWith("%") ? -Integer.parseInt(s.substring(0, s.length() - 1))
                        : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                subsample = 0;
            }
            if (subsample == 0 || subsample < -100) {
                throw new AccuracyConfigException(d.at("subsample_size") + ": expected a positive count or a"
                        + " percentage like 10%, got \"" + s + "\"");
            }
        }
        String reader = null;
        if (d.has("reader")) {
            reader = d.node().get("reader").isObject() ? d.object("reader", true).string("type", true)
                    : d.string("reader", true);
        }
        Preprocessor pre = Preprocessor.parse(d.objects("preprocessing", false), reader, d.at("reader"));
        List<MetricSpec> metrics = new ArrayList<>();
        for (ConfigNode m : d.objects("metrics", true)) {
            Metric metric = Metrics.create(m);
            Double reference = m.has("reference") ? m.number("reference", 0) : null;
            Double threshold = m.has("threshold") ? m.number("threshold", 0) : null;
            metrics.add(new MetricSpec(metric, reference, threshold));
        }
        if (metrics.isEmpty()) {
            throw new AccuracyConfigException(d.at("metrics") + ": empty");
        }
        if (subsampleOverride > 0) {
            subsample = subsampleOverride;
        }
        Dataset dataset;
        if ("model_predictions".equals(conversion.string("converter", true))) {
            // Annotated by running the reference model: only on the samples that will be evaluated.
            if (subsample < 0) {
                throw new AccuracyConfigException(d.at("subsample_size") + ": give a count with model_predictions");
            }
            dataset = ReferenceAnnotations.convert(name, conversion, dataSource, pre, subsample);
        } else {
            dataset = Converters.convert(name, conversion, dataSource);
        }
        if (subsample < 0) {
            subsample = Math.max(1, dataset.samples().size() * -subsample / 100);
        }
        return new DatasetSpec(dataset.subsample(subsample), pre, List.copyOf(metrics), d.path(),
                conversion.has("labels_file") ? conversion.file("labels_file", false) : null);
    }
}
