package dev.infero.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads OpenVINO Model Server's {@code config.json}:
 *
 * <pre>{@code
 * {"model_config_list": [
 *   {"config": {"name": "face", "base_path": "models/face", "target_device": "CPU", "nireq": 4, "batch_size": 8,
 *               "plugin_config": {"NUM_STREAMS": 2}, "model_version_policy": {"latest": {"num_versions": 2}}}}
 * ]}
 * }</pre>
 *
 * A relative {@code base_path} is resolved against the folder of the config file. Keys Infero does not implement are
 * rejected with their name rather than silently ignored.
 */
public final class ServerConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MODEL_KEYS = Set.of("name", "base_path", "target_device", "nireq", "batch_size",
            "plugin_config", "model_version_policy");

    private ServerConfig() {
    }

    /** The models of a config file; an {@link InferoException} naming the file and the field for any error. */
    public static List<ModelConfig> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InferoException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file);
    }

    /** Parses config bytes; {@code file} names the source and anchors relative base paths. */
    public static List<ModelConfig> parse(byte[] bytes, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InferoException("config " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new InferoException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InferoException("config " + file + " must be a JSON object with \"model_config_list\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("model_config_list")) {
                throw new InferoException("config " + file + ": \"" + key + "\" is not supported (Infero serves "
                        + "\"model_config_list\" only; pipelines and MediaPipe graphs are not implemented)");
            }
        }
        JsonNode list = root.get("model_config_list");
        if (list == null || !list.isArray()) {
            throw new InferoException("config " + file + ": \"model_config_list\" must be an array");
        }
        Path dir = file.toAbsolutePath().getParent();
        List<ModelConfig> models = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "config " + file + ": model_config_list[" + i + "]";
            JsonNode entry = list.get(i);
            JsonNode config = entry == null ? null : entry.get("config");
            if (config == null || !config.isObject()) {
                throw new InferoException(where + " must be {\"config\": {...}}");
            }
            ModelConfig model = model(config, where, dir);
            if (!names.add(model.name())) {
                throw new InferoException(where + ": model name '" + model.name() + "' appears twice");
            }
            models.add(model);
        }
        return models;
    }

    private static ModelConfig model(JsonNode c, String where, Path dir) {
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!MODEL_KEYS.contains(key)) {
                throw new InferoException(where + ".config: \"" + key + "\" is not supported; supported keys: "
                        + String.join(", ", new java.util.TreeSet<>(MODEL_KEYS)));
            }
        }
        String name = text(c, "name", where);
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.\\-]+")) {
            throw new InferoException(where + ".config.name must be a non-empty name of letters, digits, '_', '-' "
                    + "or '.', got " + c.get("name"));
        }
        String base = text(c, "base_path", where);
        if (base == null || base.isBlank()) {
            throw new InferoException(where + ".config.base_path is required (the model repository folder)");
        }
        Path basePath = dir == null ? Path.of(base) : dir.resolve(base).normalize();
        String device = text(c, "target_device", where);
        int nireq = integer(c, "nireq", where, 0, 0, 1024);
        int batch = integer(c, "batch_size", where, 1, 1, 4096);
        Map<String, String> plugin = new LinkedHashMap<>();
        JsonNode pc = c.get("plugin_config");
        if (pc != null && !pc.isNull()) {
            if (!pc.isObject()) {
                throw new InferoException(where + ".config.plugin_config must be an object of device properties");
            }
            pc.properties().forEach(e -> {
                if (!e.getValue().isValueNode()) {
                    throw new InferoException(where + ".config.plugin_config." + e.getKey() + " must be a string or "
                            + "number");
                }
                plugin.put(e.getKey(), e.getValue().asText());
            });
        }
        VersionPolicy policy = policy(c.get("model_version_policy"), where + ".config.model_version_policy");
        return new ModelConfig(name, basePath, device == null ? "CPU" : device, nireq, batch, plugin, policy);
    }

    /** A {@code model_version_policy} object; {@code where} names it in errors (a JSON path or an option). */
    public static VersionPolicy policy(JsonNode p, String where) {
        if (p == null || p.isNull()) {
            return VersionPolicy.latest();
        }
        if (!p.isObject() || p.size() != 1) {
            throw new InferoException(where + " must have exactly one of \"latest\", \"specific\", \"all\", got " + p);
        }
        String kind = p.fieldNames().next();
        JsonNode body = p.get(kind);
        switch (kind) {
            case "latest" -> {
                JsonNode n = body.get("num_versions");
                if (n == null) {
                    return VersionPolicy.latest();
                }
                if (!n.canConvertToInt() || n.asInt() < 1) {
                    throw new InferoException(where + ".latest.num_versions must be a positive integer, got " + n);
                }
                return new VersionPolicy.Latest(n.asInt());
            }
            case "specific" -> {
                JsonNode vs = body.get("versions");
                if (vs == null || !vs.isArray() || vs.isEmpty()) {
                    throw new InferoException(where + ".specific.versions must be a non-empty array of version numbers");
                }
                Set<Long> versions = new HashSet<>();
                for (JsonNode v : vs) {
                    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1) {
                        throw new InferoException(where + ".specific.versions holds " + v
                                + "; versions are positive integers");
                    }
                    versions.add(v.asLong());
                }
                return new VersionPolicy.Specific(versions);
            }
            case "all" -> {
                return new VersionPolicy.All();
            }
            default -> throw new InferoException(where + ": unknown policy \"" + kind
                    + "\"; expected \"latest\", \"specific\" or \"all\"");
        }
    }

    private static String text(JsonNode c, String key, String where) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InferoException(where + ".config." + key + " must be a string, got " + n);
        }
        return n.asText();
    }

    /** An integer given as a number or a numeric string (OVMS writes {@code "batch_size": "1"}). */
    private static int integer(JsonNode c, String key, String where, int absent, int min, int max) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return absent;
        }
        long v;
        if (n.isIntegralNumber()) {
            v = n.asLong();
        } else if (n.isTextual() && n.asText().trim().matches("\\d{1,9}")) {
            v = Long.parseLong(n.asText().trim());
        } else {
            throw new InferoException(where + ".config." + key + " must be an integer, got " + n
                    + (key.equals("batch_size") ? " (\"auto\" is not supported: dynamic batching collects requests "
                    + "up to batch_size)" : ""));
        }
        if (v < min || v > max) {
            throw new InferoException(where + ".config." + key + " must be between " + min + " and " + max
                    + ", got " + v);
        }
        return (int) v;
    }
}
