package dev.infero.quantize;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON configuration POT users write ({@code //} and {@code /* *}{@code /} comments and trailing commas
 * allowed, as jstyleson does). Only what Infero implements is accepted: the {@code simplified} engine (a folder
 * of samples) with {@code DefaultQuantization}, and the {@code accuracy_checker} engine (an Accuracy Checker YAML in
 * {@code engine.config}) with {@code DefaultQuantization} or {@code AccuracyAwareQuantization}. Every problem is reported with the JSON path of the offending value, e.g.
 * {@code compression.algorithms[0].params.preset: expected "performance" or "mixed", got "fast"}. Relative paths
 * are resolved against the configuration file's folder.
 */
public final class PotConfigParser {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private PotConfigParser() {
    }

    /** A configuration error; the message starts with the JSON path. */
    public static final class ConfigException extends InferoException {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static PotConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InferoException("cannot read the configuration " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, base);
    }

    /** Parses configuration text; relative paths in it are resolved against {@code base}. */
    public static PotConfig parse(String text, Path base) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException("not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        Obj top = new Obj(root, "", "the configuration");
        top.only("model", "engine", "compression");

        Obj model = top.object("model", true);
        model.only("model_name", "model", "weights");
        String modelName = model.string("model_name", true);
        Path modelFile = model.file("model", base, true);
        if (modelFile.getFileName() == null) {
            // "/" or "/..": a file system root has no file name to take the model format from (found by fuzzing).
            throw new ConfigException(model.at("model") + ": " + modelFile + " is a file system root, not a model file");
        }
        Path weights = model.file("weights", base, false);
        if (weights == null && modelFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml")) {
            weights = replaceExtension(modelFile);
            if (!Files.isRegularFile(weights)) {
                throw new ConfigException(model.at("weights") + ": missing, and " + weights + " does not exist");
            }
        }

        Obj engine = top.object("engine", true);
        engine.only("type", "config", "data_source", "stat_requests_number", "eval_requests_number");
        String type = engine.string("type", false);
        if (type == null) {
            type = "accuracy_checker";
        }
        Path data = null;
        Path acConfig = null;
        switch (type) {
            case "simplified" -> {
                if (engine.node.has("config")) {
                    throw new ConfigException(engine.at("config") + ": only the \"accuracy_checker\" engine reads"
                            + " an Accuracy Checker configuration");
                }
                data = engine.file("data_source", base, true);
            }
            case "accuracy_checker" -> {
                if (engine.node.has("data_source")) {
                    throw new ConfigException(engine.at("data_source") + ": the \"accuracy_checker\" engine takes"
                            + " its data from the dataset of engine.config; use data_source with \"simplified\"");
                }
                if (!engine.node.has("config")) {
                    throw new ConfigException(engine.at("config") + ": missing (the \"accuracy_checker\" engine,"
                            + " POT's default, needs an Accuracy Checker YAML; for a plain folder of images use"
                            + " \"type\": \"simplified\" with \"data_source\")");
                }
                acConfig = engine.file("config", base, true);
            }
            default -> throw new ConfigException(engine.at("type") + ": expected \"simplified\" or"
                    + " \"accuracy_checker\", got " + quote(type));
        }
        engine.positiveInt("stat_requests_number", false);
        engine.positiveInt("eval_requests_number", false);

        Obj compression = top.object("compression", true);
        compression.only("target_device", "model_type", "inplace_statistics", "dump_intermediate_model",
                "algorithms");
        String device = compression.string("target_device", false);
        if (device == null) {
            device = "ANY";
        } else if (!Set.of("ANY", "CPU").contains(device)) {
            throw new ConfigException(compression.at("target_device") + ": expected \"CPU\" or \"ANY\", got "
                    + quote(device));
        }
        JsonNode modelType = compression.node.get("model_type");
        if (modelType != null && !modelType.isNull()) {
            throw new ConfigException(compression.at("model_type") + ": only null (CNN) is supported, got "
                    + modelType);
        }
        compression.bool("inplace_statistics", false);
        compression.bool("dump_intermediate_model", false);
        List<Obj> algorithms = compression.objects("algorithms");
        if (algorithms.size() != 1) {
            throw new ConfigException(compression.at("algorithms") + ": expected exactly one algorithm"
                    + " (DefaultQuantization or AccuracyAwareQuantization), got " + algorithms.size());
        }
        Obj algorithm = algorithms.getFirst();
        algorithm.only("name", "params");
        String name = algorithm.string("name", true);
        Obj params = algorithm.object("params", false);
        AccuracyAwareParameters aaq = null;
        switch (name) {
            case "DefaultQuantization" -> {
            }
            case "AccuracyAwareQuantization" -> {
                if (acConfig == null) {
                    throw new ConfigException(algorithm.at("name") + ": AccuracyAwareQuantization measures"
                            + " accuracy, so it needs engine.type \"accuracy_checker\" with engine.config");
                }
                aaq = accuracyAware(params);
            }
            default -> throw new ConfigException(algorithm.at("name") + ": expected \"DefaultQuantization\" or"
                    + " \"AccuracyAwareQuantization\", got " + quote(name));
        }
        QuantizationParameters q = parameters(params, aaq != null);
        // Comments dropped and on one line: IR attribute values do not keep line breaks, which would let a // comment
        // swallow the rest of the configuration.
        return new PotConfig(modelName, modelFile, weights, data, device, q, root.toString(), name, acConfig, aaq);
    }

    /** Keys of AccuracyAwareQuantization's params that are its own (the rest belong to DefaultQuantization). */
    private static final List<String> AAQ_KEYS = List.of("maximal_drop", "drop_type", "ranking_subset_size",
            "max_iter_num", "use_prev_if_drop_increase", "metric_subset_ratio", "base_algorithm",
            "convert_to_mixed_preset", "metrics", "tune_hyperparams", "annotation_free");

    private static AccuracyAwareParameters accuracyAware(Obj p) {
        AccuracyAwareParameters a = AccuracyAwareParameters.defaults();
        if (p == null) {
            return a;
        }
        Double drop = p.number("maximal_drop", false);
        if (drop != null && (drop < 0 || drop >= 1)) {
            throw new ConfigException(p.at("maximal_drop") + ": expected a fraction in [0, 1) (0.01 = 1 %), got "
                    + drop);
        }
        String dropType = p.string("drop_type", false);
        if (dropType != null && !dropType.equals("absolute") && !dropType.equals("relative")) {
            throw new ConfigException(p.at("drop_type") + ": expected \"absolute\" or \"relative\", got "
                    + quote(dropType));
        }
        Integer ranking = p.positiveInt("ranking_subset_size", false);
        Integer iterations = p.positiveInt("max_iter_num", false);
        Boolean usePrev = p.bool("use_prev_if_drop_increase", false);
        Double ratio = p.number("metric_subset_ratio", false);
        if (ratio != null && (ratio <= 0 || ratio > 1)) {
            throw new ConfigException(p.at("metric_subset_ratio") + ": expected a fraction in (0, 1], got " + ratio);
        }
        String base = p.string("base_algorithm", false);
        if (base != null && !base.equals("DefaultQuantization")) {
            throw new ConfigException(p.at("base_algorithm") + ": expected \"DefaultQuantization\", got "
                    + quote(base));
        }
        for (String unsupported : List.of("convert_to_mixed_preset", "tune_hyperparams", "annotation_free")) {
            Boolean on = p.bool(unsupported, false);
            if (on != null && on) {
                throw new ConfigException(p.at(unsupported) + ": not supported by Infero (only false)");
            }
        }
        if (p.node.has("metrics")) {
            throw new ConfigException(p.at("metrics") + ": not supported; the first metric of the Accuracy Checker"
                    + " configuration is the one held within maximal_drop (order the metrics there)");
        }
        return new AccuracyAwareParameters(drop == null ? a.maximalDrop() : drop,
                dropType == null ? a.relative() : dropType.equals("relative"),
                ranking == null ? a.rankingSubsetSize() : ranking, iterations == null ? 0 : iterations,
                usePrev == null ? a.usePrevIfDropIncrease() : usePrev, ratio == null ? a.metricSubsetRatio() : ratio);
    }

    private static QuantizationParameters parameters(Obj p, boolean accuracyAware) {
        QuantizationParameters q = QuantizationParameters.defaults();
        if (p == null) {
            return q;
        }
        List<String> keys = new ArrayList<>(List.of("preset", "stat_subset_size", "shuffle_data", "seed", "ignored",
                "use_fast_bias", "activations", "target_device"));
        if (accuracyAware) {
            keys.addAll(AAQ_KEYS);
        }
        p.only(keys.toArray(String[]::new));
        String preset = p.string("preset", false);
        if (preset != null) {
            q = q.withPreset(switch (preset) {
                case "performance" -> Preset.PERFORMANCE;
                case "mixed" -> Preset.MIXED;
                default -> throw new ConfigException(p.at("preset") + ": expected \"performance\" or \"mixed\", got "
                        + quote(preset));
            });
        }
        Integer subset = p.positiveInt("stat_subset_size", false);
        if (subset != null) {
            q = q.withStatSubsetSize(subset);
        }
        Boolean shuffle = p.bool("shuffle_data", false);
        Integer seed = p.nonNegativeInt("seed", false);
        q = q.withShuffle(shuffle != null && shuffle, seed == null ? 0 : seed);
        Boolean fastBias = p.bool("use_fast_bias", false);
        if (fastBias != null) {
            q = q.withFastBiasCorrection(fastBias);
        }
        Obj ignored = p.object("ignored", false);
        if (ignored != null) {
            ignored.only("scope", "operations");
            List<String> scope = ignored.strings("scope");
            List<String> ops = new ArrayList<>();
            for (Obj op : ignored.typesOrObjects("operations")) {
                if (op.node.isTextual()) {
                    ops.add(op.node.asText());
                    continue;
                }
                op.only("type", "attributes");
                if (op.node.has("attributes")) {
                    throw new ConfigException(op.at("attributes") + ": ignoring operations by attributes is not"
                            + " supported; list the node names in \"scope\" instead");
                }
                ops.add(op.string("type", true));
            }
            q = q.withIgnored(scope, ops);
        }
        Obj activations = p.object("activations", false);
        if (activations != null) {
            activations.only("range_estimator");
            Obj estimator = activations.object("range_estimator", false);
            if (estimator != null) {
                estimator.only("preset");
                String e = estimator.string("preset", true);
                q = q.withRangeEstimator(switch (e) {
                    case "default" -> RangeEstimator.MIN_MAX;
                    case "quantile" -> RangeEstimator.QUANTILE;
                    default -> throw new ConfigException(estimator.at("preset")
                            + ": expected \"default\" or \"quantile\", got " + quote(e));
                });
            }
        }
        String device = p.string("target_device", false);
        if (device != null && !Set.of("ANY", "CPU").contains(device)) {
            throw new ConfigException(p.at("target_device") + ": expected \"CPU\" or \"ANY\", got " + quote(device));
        }
        return q;
    }

    private static Path replaceExtension(Path xml) {
        String n = xml.getFileName().toString();
        return xml.resolveSibling(n.substring(0, n.length() - 4) + ".bin");
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "the string " + quote(n.asText());
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        return n.isNumber() ? "the number " + n : n.toString();
    }

    /** A JSON node with its path, for messages. */
    private record Obj(JsonNode node, String path, String what) {
        Obj {
            if (!node.isObject() && !node.isTextual()) {
                throw new ConfigException((path.isEmpty() ? what : path) + ": expected an object, got "
                        + describe(node));
            }
        }

        String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        void only(String... keys) {
            Set<String> allowed = Set.of(keys);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                String k = it.next().getKey();
                if (!allowed.contains(k)) {
                    throw new ConfigException(at(k) + ": unknown key; expected one of "
                            + String.join(", ", keys));
                }
            }
        }

        private JsonNode get(String key, boolean required) {
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) {
                if (required) {
                    throw new ConfigException(at(key) + ": missing");
                }
                return null;
            }
            return n;
        }

        Obj object(String key, boolean required) {
            JsonNode n = get(key, required);
            if (n == null) {
                return null;
            }
            if (!n.isObject()) {
                throw new ConfigException(at(key) + ": expected an object, got " + describe(n));
            }
            return new Obj(n, at(key), key);
        }

        String string(String key, boolean required) {
            JsonNode n = get(key, required);
            if (n == null) {
                return null;
            }
            if (!n.isTextual()) {
                throw new ConfigException(at(key) + ": expected a string, got " + describe(n));
            }
            return n.asText();
        }

        Boolean bool(String key, boolean required) {
            JsonNode n = get(key, required);
            if (n == null) {
                return null;
            }
            if (!n.isBoolean()) {
                throw new ConfigException(at(key) + ": expected true or false, got " + describe(n));
            }
            return n.asBoolean();
        }

        Double number(String key, boolean required) {
            JsonNode n = get(key, required);
            if (n == null) {
                return null;
            }
            if (!n.isNumber()) {
                throw new ConfigException(at(key) + ": expected a number, got " + describe(n));
            }
            return n.asDouble();
        }

        Integer positiveInt(String key, boolean required) {
            Integer v = nonNegativeInt(key, required);
            if (v != null && v == 0) {
                throw new ConfigException(at(key) + ": expected a positive integer, got 0");
            }
            return v;
        }

        Integer nonNegativeInt(String key, boolean required) {
            JsonNode n = get(key, required);
            if (n == null) {
                return null;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
                throw new ConfigException(at(key) + ": expected a non-negative integer, got " + describe(n));
            }
            return n.asInt();
        }

        Path file(String key, Path base, boolean required) {
            String s = string(key, required);
            if (s == null) {
                return null;
            }
            Path p = base.resolve(s).normalize();
            if (!Files.exists(p)) {
                throw new ConfigException(at(key) + ": " + p + " does not exist");
            }
            return p;
        }

        private JsonNode array(String key) {
            JsonNode n = get(key, false);
            if (n != null && !n.isArray()) {
                throw new ConfigException(at(key) + ": expected an array, got " + describe(n));
            }
            return n;
        }

        List<Obj> objects(String key) {
            JsonNode n = array(key);
            if (n == null) {
                throw new ConfigException(at(key) + ": missing");
            }
            List<Obj> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                String p = at(key) + "[" + i + "]";
                if (!e.isObject()) {
                    throw new ConfigException(p + ": expected an object, got " + describe(e));
                }
                out.add(new Obj(e, p, key));
            }
            return out;
        }

        List<String> strings(String key) {
            JsonNode n = array(key);
            List<String> out = new ArrayList<>();
            for (int i = 0; n != null && i < n.size(); i++) {
                if (!n.get(i).isTextual()) {
                    throw new ConfigException(at(key) + "[" + i + "]: expected a string, got " + describe(n.get(i)));
                }
                out.add(n.get(i).asText());
            }
            return out;
        }

        /** Array entries that are either a string or an object ({@code ignored.operations}). */
        List<Obj> typesOrObjects(String key) {
            JsonNode n = array(key);
            List<Obj> out = new ArrayList<>();
            for (int i = 0; n != null && i < n.size(); i++) {
                out.add(new Obj(n.get(i), at(key) + "[" + i + "]", key));
            }
            return out;
        }
    }
}
