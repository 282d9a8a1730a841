package dev.infero.mxnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An MXNet {@code -symbol.json}: nodes in topological order (op, name, string attributes, inputs as
 * [node, output] pairs) and the heads (the outputs). Attributes are read from {@code attrs}, or the older
 * {@code attr}/{@code param} keys.
 */
public record MxnetSymbol(List<Node> nodes, List<Entry> heads) {
    /** One node; {@code op} is "null" for variables (weights and data inputs). */
    public record Node(int id, String op, String name, Map<String, String> attrs, List<Entry> inputs) {
    }

    /** An input or output reference: output {@code index} of node {@code node}. */
    public record Entry(int node, int index) {
    }

    public static MxnetSymbol read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new InferoException("MXNet symbol " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidModelException("MXNet symbol " + file + " is not valid JSON: " + e.getMessage().split("\n")[0]);
        }
        return parse(root, file.toString());
    }

    public static MxnetSymbol parse(JsonNode root, String source) {
        if (root == null || !root.has("nodes") || !root.get("nodes").isArray()) {
            throw new InvalidModelException("MXNet symbol " + source + " has no \"nodes\" array (not an MXNet -symbol.json)");
        }
        List<Node> nodes = new ArrayList<>();
        JsonNode arr = root.get("nodes");
        for (int i = 0; i < arr.size(); i++) {
            JsonNode n = arr.get(i);
            String op = text(n, "op", source, i);
            String name = text(n, "name", source, i);
            Map<String, String> attrs = new LinkedHashMap<>();
            for (String key : new String[] {"param", "attr", "attrs"}) {
                JsonNode a = n.get(key);
                if (a != null && a.isObject()) {
                    a.fields().forEachRemaining(e -> attrs.put(e.getKey(), e.getValue().asText()));
                }
            }
            List<Entry> inputs = new ArrayList<>();
            JsonNode ins = n.get("inputs");
            if (ins != null) {
                for (JsonNode in : ins) {
                    inputs.add(entry(in, source, "input of node '" + name + "'", i));
                }
            }
            nodes.add(new Node(i, op, name, attrs, inputs));
        }
        List<Entry> heads = new ArrayList<>();
        JsonNode h = root.get("heads");
        if (h == null || !h.isArray() || h.isEmpty()) {
            throw new InvalidModelException("MXNet symbol " + source + " has no \"heads\" (outputs)");
        }
        for (JsonNode e : h) {
            heads.add(entry(e, source, "head", nodes.size()));
        }
        return new MxnetSymbol(nodes, heads);
    }

    private static String text(JsonNode n, String key, String source, int i) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new InvalidModelException("MXNet symbol " + source + ": node " + i + " has no \"" + key + "\"");
        }
        return v.asText();
    }

    /** [node, index(, version)]; the node must come before {@code limit} (inputs precede their users). */
    private static Entry entry(JsonNode e, String source, String what, int limit) {
        if (!e.isArray() || e.size() < 1 || !e.get(0).canConvertToInt()) {
            throw new InvalidModelException("MXNet symbol " + source + ": " + what + " " + e + " is not [node, output]");
        }
        int node = e.get(0).asInt();
        int index = e.size() > 1 ? e.get(1).asInt() : 0;
        if (node < 0 || node >= limit || index < 0) {
            throw new InvalidModelException("MXNet symbol " + source + ": " + what + " " + e + " refers to node " + node
                    + ", which is not an earlier node");
        }
        return new Entry(node, index);
    }
}
