package dev.infero.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mapping of the configuration with its path ({@code models[0].datasets[0].metrics[1].top_k}) for messages. Every
 * accessor validates the type and throws {@link AccuracyConfigException} naming the path.
 */
public record ConfigNode(JsonNode node, String path, Path base) {
    public ConfigNode {
        if (!node.isObject()) {
            throw new AccuracyConfigException((path.isEmpty() ? "the configuration" : path)
                    + ": expected a mapping, got " + describe(node));
        }
    }

    /** The path of {@code key} under this node. */
    public String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        JsonNode n = node.get(key);
        return n != null && !n.isNull();
    }

    /** Rejects keys not in {@code keys} (likely typos). */
    public void only(String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String k = it.next().getKey();
            if (!allowed.contains(k)) {
                throw new AccuracyConfigException(at(k) + ": unknown key; expected one of " + String.join(", ", keys));
            }
        }
    }

    private JsonNode get(String key, boolean required) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw new AccuracyConfigException(at(key) + ": missing");
            }
            return null;
        }
        return n;
    }

    public ConfigNode object(String key, boolean required) {
        JsonNode n = get(key, required);
        return n == null ? null : new ConfigNode(n, at(key), base);
    }

    public String string(String key, boolean required) {
        JsonNode n = get(key, required);
        if (n == null) {
            return null;
        }
        if (!n.isValueNode() || n.isBoolean()) {
            throw new AccuracyConfigException(at(key) + ": expected a string, got " + describe(n));
        }
        return n.asText();
    }

    public String string(String key, String fallback) {
        String s = string(key, false);
        return s == null ? fallback : s;
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode n = get(key, false);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new AccuracyConfigException(at(key) + ": expected true or false, got " + describe(n));
        }
        return n.asBoolean();
    }

    public double number(String key, double fallback) {
        JsonNode n = get(key, false);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new AccuracyConfigException(at(key) + ": expected a number, got " + describe(n));
        }
        return n.asDouble();
    }

    public int positiveInt(String key, int fallback) {
        JsonNode n = get(key, false);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new AccuracyConfigException(at(key) + ": expected a positive integer, got " + describe(n));
        }
        return n.asInt();
    }

    /** One number or a list of them ({@code mean: 127.5} or {@code mean: [104, 117, 123]}). */
    public float[] floats(String key, float[] fallback) {
        JsonNode n = get(key, false);
        if (n == null) {
            return fallback;
        }
        if (n.isNumber()) {
            return new float[] {(float) n.asDouble()};
        }
        if (n.isTextual()) {
            // OMZ writes "104, 117, 123" as a string too.
            String[] parts = n.asText().replace("(", "").replace(")", "").split("[,\\s]+");
            float[] out = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    out[i] = Float.parseFloat(parts[i]);
                } catch (NumberFormatException e) {
                    throw new AccuracyConfigException(at(key) + ": expected numbers, got \"" + n.asText() + "\"");
                }
            }
            return out;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw new AccuracyConfigException(at(key) + ": expected a number or a list of numbers, got "
                    + describe(n));
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isNumber()) {
                throw new AccuracyConfigException(at(key) + "[" + i + "]: expected a number, got "
                        + describe(n.get(i)));
            }
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }

    /** An existing file or folder, relative to the configuration's folder. */
    public Path file(String key, boolean required) {
        String s = string(key, required);
        if (s == null) {
            return null;
        }
        Path p = base.resolve(s).normalize();
        if (!Files.exists(p)) {
            throw new AccuracyConfigException(at(key) + ": " + p + " does not exist");
        }
        return p;
    }

    /** A list of mappings; a single mapping is taken as a list of one, as the Accuracy Checker does. */
    public List<ConfigNode> objects(String key, boolean required) {
        JsonNode n = get(key, required);
        List<ConfigNode> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isObject()) {
            out.add(new ConfigNode(n, at(key), base));
            return out;
        }
        if (!n.isArray()) {
            throw new AccuracyConfigException(at(key) + ": expected a list, got " + describe(n));
        }
        for (int i = 0; i < n.size(); i++) {
            out.add(new ConfigNode(n.get(i), at(key) + "[" + i + "]", base));
        }
        return out;
    }

    /** A list of scalars, or one scalar as a list of one. */
    public List<String> strings(String key) {
        JsonNode n = get(key, false);
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isValueNode()) {
            out.add(n.asText());
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isValueNode()) {
                throw new AccuracyConfigException(at(key) + "[" + i + "]: expected a value, got " + describe(n.get(i)));
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "the string \"" + n.asText() + "\"";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        return n.isNumber() ? "the number " + n : n.toString();
    }
}
