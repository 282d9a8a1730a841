package dev.infero.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@code infero accuracy --json} writes: {@code {"tool", "dataset", "samples", "models": [{"name",
 * "model", "precision", "size_bytes", "latency_ms", "metrics": [{"name", "type", "value", "delta"}]}]}}. Errors name
 * the file and the field.
 */
public final class AccuracyFile {
    /** Refuse files larger than this before reading them (an accuracy summary is a few KB). */
    static final long MAX_BYTES = 16L << 20;

    private AccuracyFile() {
    }

    public static ReportData.Accuracy read(Path file) {
        JsonNode root;
        try {
            if (!Files.isRegularFile(file)) {
                throw new InferoException("accuracy file " + file + " does not exist");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new InferoException("accuracy file " + file + " is " + Files.size(file) + " bytes; an accuracy "
                        + "summary is expected (at most " + MAX_BYTES + ")");
            }
            root = new JsonMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InferoException("accuracy file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InferoException("cannot read accuracy file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InferoException("accuracy file " + file + ": expected a JSON object");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isArray() || models.isEmpty()) {
            throw new InferoException("accuracy file " + file + ": 'models' must be a non-empty array");
        }
        List<ReportData.AccuracyModel> out = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            String where = "accuracy file " + file + ": models[" + i + "]";
            if (!m.isObject()) {
                throw new InferoException(where + " must be an object");
            }
            String name = text(m, "name", where, true);
            JsonNode metrics = m.get("metrics");
            if (metrics == null || !metrics.isArray()) {
                throw new InferoException(where + ".metrics must be an array");
            }
            List<ReportData.Metric> ms = new ArrayList<>();
            for (int k = 0; k < metrics.size(); k++) {
                JsonNode x = metrics.get(k);
                String w = where + ".metrics[" + k + "]";
                if (!x.isObject()) {
                    throw new InferoException(w + " must be an object");
                }
                ms.add(new ReportData.Metric(text(x, "name", w, true), text(x, "type", w, false),
                        number(x, "value", w, true), number(x, "delta", w, false)));
            }
            out.add(new ReportData.AccuracyModel(name, text(m, "model", where, false),
                    text(m, "precision", where, false), number(m, "latency_ms", where, false), ms));
        }
        String tool = root.path("tool").asText("infero accuracy");
        int samples = root.path("samples").canConvertToInt() ? root.path("samples").asInt() : 0;
        return new ReportData.Accuracy(tool + " (" + file.getFileName() + ")", root.path("dataset").asText(""),
                samples, out);
    }

    private static String text(JsonNode o, String field, String where, boolean required) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InferoException(where + "." + field + " is missing");
            }
            return "";
        }
        if (!v.isValueNode()) {
            throw new InferoException(where + "." + field + " must be a string, got " + v.getNodeType());
        }
        return v.asText();
    }

    private static double number(JsonNode o, String field, String where, boolean required) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InferoException(where + "." + field + " is missing");
            }
            return Double.NaN;
        }
        if (!v.isNumber()) {
            throw new InferoException(where + "." + field + " must be a number, got " + v);
        }
        return v.asDouble();
    }
}
