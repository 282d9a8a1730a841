package dev.infero.ir;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.control.Body;
import dev.infero.core.ops.control.SubgraphOp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a graph as OpenVINO IR v11: {@code <name>.xml} (topology) and {@code <name>.bin} (constants, raw
 * little-endian, identical constants stored once). Both files are written to temporary files first and moved into
 * place, so a failure leaves nothing half-written.
 */
public final class IrWriter {
    public static final int IR_VERSION = 11;

    /** Paths and sizes of what was written. */
    public record Written(Path xml, Path bin, long xmlBytes, long binBytes) {
    }

    private IrWriter() {
    }

    /** Writes {@code graph} as {@code dir/name.xml} and {@code dir/name.bin}. */
    public static Written write(Graph graph, Path dir, String name) {
        IrIntegrity.checkName(name);
        BinBuilder bin = new BinBuilder();
        String xml = toXml(graph, name, bin);
        Path xmlPath = dir.resolve(name + ".xml");
        Path binPath = dir.resolve(name + ".bin");
        try {
            Files.createDirectories(dir);
            // Temporary names in the target folder (same file system, so the moves are atomic renames).
            String unique = "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp";
            Path xmlTmp = dir.resolve(name + ".xml" + unique);
            Path binTmp = dir.resolve(name + ".bin" + unique);
            try {
                // Both files reach the disk before either is renamed; .bin first, so an .xml is never newer than
                // the .bin it names, and the recorded SHA-256 catches any other mismatch.
                bin.writeTo(binTmp);
                IrIntegrity.writeDurably(xmlTmp, xml.getBytes(StandardCharsets.UTF_8));
                Files.move(binTmp, binPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.move(xmlTmp, xmlPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(xmlTmp);
                Files.deleteIfExists(binTmp);
            }
            return new Written(xmlPath, binPath, Files.size(xmlPath), Files.size(binPath));
        } catch (IOException e) {
            throw new InferoException("cannot write IR to " + dir + ": " + dev.infero.core.OutputFolder.describe(e), e);
        }
    }

    /** The XML text of {@code graph}; constants are appended to {@code bin}. */
    static String toXml(Graph graph, String name, BinBuilder bin) {
        Xml x = new Xml();
        x.line("<?xml version=\"1.0\"?>");
        x.open("net", "name", name, "version", Integer.toString(IR_VERSION));
        writeGraph(x, graph, bin);
        writeModelRtInfo(x, graph.metadata(), bin);
        x.close("net");
        return x.toString();
    }

    /** The {@code <layers>} and {@code <edges>} of a graph or of a control-flow op's body. */
    private static Map<Node, Integer> writeGraph(Xml x, Graph graph, BinBuilder bin) {
        Map<Node, Integer> ids = new IdentityHashMap<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            ids.put(nodes.get(i), i);
        }
        x.open("layers");
        List<String> edges = new ArrayList<>();
        // Model outputs are named on the port a Result reads (IR Results have no output port): output names first.
        Map<Value, Set<String>> resultNames = new IdentityHashMap<>();
        for (Node r : graph.results()) {
            resultNames.computeIfAbsent(r.input(0), k -> new LinkedHashSet<>()).addAll(r.output(0).names());
        }
        for (Node node : nodes) {
            writeLayer(x, node, ids, bin, edges, resultNames);
        }
        x.close("layers");
        x.open("edges");
        edges.forEach(x::line);
        x.close("edges");
        return ids;
    }

    /**
     * A control-flow op's bodies as OpenVINO writes them: per body its port map (inputs with slicing, outputs with
     * concatenation, Loop's special ports by purpose), back edges, and the body graph; ids inside a body are its own.
     */
    private static void writeBodies(Xml x, SubgraphOp op, BinBuilder bin) {
        for (Body body : op.bodies()) {
            // ids of the body's layers are their positions, as writeGraph numbers them
            Map<Node, Integer> ids = new IdentityHashMap<>();
            for (int i = 0; i < body.graph().nodes().size(); i++) {
                ids.put(body.graph().nodes().get(i), i);
            }
            List<Node> params = body.graph().parameters();
            List<Node> results = body.graph().results();
            x.open(body.portMap());
            for (Body.Input in : body.inputs()) {
                List<String> a = new ArrayList<>(List.of("external_port_id", Integer.toString(in.external()),
                        "internal_layer_id", Integer.toString(ids.get(params.get(in.parameter())))));
                if (in.axis() != null) {
                    a.addAll(List.of("axis", Long.toString(in.axis()), "start", Long.toString(in.start()), "end",
                            Long.toString(in.end()), "stride", Long.toString(in.stride()), "part_size",
                            Long.toString(in.partSize())));
                }
                x.empty("input", a.toArray(String[]::new));
            }
            if (body.currentIteration() >= 0) {
                x.empty("input", "external_port_id", "-1", "internal_layer_id",
                        Integer.toString(ids.get(params.get(body.currentIteration()))), "purpose", "current_iteration");
            }
            for (Body.Output out : body.outputs()) {
                List<String> a = new ArrayList<>(List.of("external_port_id", Integer.toString(out.external()),
                        "internal_layer_id", Integer.toString(ids.get(results.get(out.result())))));
                if (out.axis() != null) {
                    a.addAll(List.of("axis", Long.toString(out.axis()), "start", Long.toString(out.start()), "end",
                            Long.toString(out.end()), "stride", Long.toString(out.stride()), "part_size",
                            Long.toString(out.partSize())));
                }
                x.empty("output", a.toArray(String[]::new));
            }
            if (body.condition() >= 0) {
                x.empty("output", "external_port_id", "-1", "internal_layer_id",
                        Integer.toString(ids.get(results.get(body.condition()))), "purpose", "execution_condition");
            }
            x.close(body.portMap());
            if (!body.backEdges().isEmpty()) {
                x.open("back_edges");
                for (Body.BackEdge e : body.backEdges()) {
                    x.empty("edge", "from-layer", Integer.toString(ids.get(results.get(e.result()))), "from-port", "0",
                            "to-layer", Integer.toString(ids.get(params.get(e.parameter()))), "to-port", "0");
                }
                x.close("back_edges");
            }
            x.open(body.tag());
            writeGraph(x, body.graph(), bin);
            x.close(body.tag());
        }
    }

    private static void writeLayer(Xml x, Node node, Map<Node, Integer> ids, BinBuilder bin, List<String> edges,
                                   Map<Value, Set<String>> resultNames) {
        int id = ids.get(node);
        x.open("layer", "id", Integer.toString(id), "name", node.name(), "type", node.type(), "version",
                node.op().version());
        AttributeSink.Text attributes = new AttributeSink.Text();
        node.op().describe(attributes);
        if (node.op() instanceof Constant c) {
            long[] placed = bin.add(c.value());
            attributes.attribute("offset", placed[0]);
            attributes.attribute("size", placed[1]);
        }
        if (!attributes.values().isEmpty()) {
            List<String> kv = new ArrayList<>();
            attributes.values().forEach((k, v) -> {
                kv.add(k);
                kv.add(v);
            });
            x.empty("data", kv.toArray(String[]::new));
        }
        if (!node.rtInfo().isEmpty()) {
            x.open("rt_info");
            node.rtInfo().forEach((k, v) -> x.empty("attribute", v.isEmpty()
                    ? new String[] {"name", k, "version", "0"} : new String[] {"name", k, "version", "0", "value", v}));
            x.close("rt_info");
        }
        int inputs = writtenInputs(node);
        if (inputs > 0) {
            x.open("input");
            for (int i = 0; i < inputs; i++) {
                Value v = node.input(i);
                if (v == null) {
                    throw new InferoException("node '" + node.name() + "' (" + node.type() + ") has an absent input "
                            + i + " before present ones, which IR cannot express");
                }
                port(x, i, v, List.of());
                edges.add("<edge from-layer=\"" + ids.get(v.node()) + "\" from-port=\""
                        + (writtenInputs(v.node()) + v.index()) + "\" to-layer=\"" + id + "\" to-port=\"" + i + "\"/>");
            }
            x.close("input");
        }
        if (!(node.op() instanceof Result)) {
            x.open("output");
            for (Value v : node.outputs()) {
                port(x, inputs + v.index(), v, tensorNames(v, resultNames));
            }
            x.close("output");
        }
        if (node.op() instanceof SubgraphOp op) {
            writeBodies(x, op, bin);
        }
        x.close("layer");
    }

    /** Inputs written as ports: absent optional inputs at the end are left out, as in OpenVINO's IR. */
    private static int writtenInputs(Node node) {
        int inputs = node.inputs().size();
        while (inputs > 0 && node.input(inputs - 1) == null) {
            inputs--;
        }
        return inputs;
    }

    private static Collection<String> tensorNames(Value v, Map<Value, Set<String>> resultNames) {
        Set<String> names = new LinkedHashSet<>(resultNames.getOrDefault(v, Set.of()));
        names.addAll(v.names());
        return names;
    }

    private static void port(Xml x, int id, Value v, Collection<String> names) {
        List<String> attrs = new ArrayList<>(List.of("id", Integer.toString(id), "precision", v.type().precision()));
        if (!names.isEmpty()) {
            attrs.add("names");
            attrs.add(String.join(",", names.stream().map(n -> n.replace(",", "\\,")).toList()));
        }
        PartialShape s = v.shape();
        if (!s.hasRank()) {
            // Port dimensions document the graph; readers infer shapes again. Unknown rank: no dimensions listed.
            attrs.add("rank");
            attrs.add("dynamic");
            x.empty("port", attrs.toArray(String[]::new));
            return;
        }
        if (s.rank() == 0) {
            x.empty("port", attrs.toArray(String[]::new));
            return;
        }
        x.open("port", attrs.toArray(String[]::new));
        for (int i = 0; i < s.rank(); i++) {
            x.line("<dim>" + (s.isDynamic(i) ? "-1" : Integer.toString(s.dim(i))) + "</dim>");
        }
        x.close("port");
    }

    /** Model metadata as v11's trailing {@code <rt_info>}; keys with '/' become nested elements. */
    private static void writeModelRtInfo(Xml x, Map<String, String> metadata, BinBuilder bin) {
        x.open("rt_info");
        x.empty("Runtime_version", "value", "infero " + IrWriter.class.getPackage().getImplementationVersion());
        x.empty(IrIntegrity.BIN_SHA256, "value", bin.sha256());
        String group = null;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key.equals(IrIntegrity.BIN_SHA256)) {
                continue; // the hash of the .bin read, not of the one being written
            }
            int slash = key.indexOf('/');
            String g = slash < 0 ? null : key.substring(0, slash);
            if (group != null && !group.equals(g)) {
                x.close(group);
                group = null;
            }
            if (g != null && !g.equals(group)) {
                x.open(g);
                group = g;
            }
            x.empty(slash < 0 ? key : key.substring(slash + 1), "value", e.getValue());
        }
        if (group != null) {
            x.close(group);
        }
        x.close("rt_info");
    }

    /** Minimal indented XML text builder with attribute escaping. */
    private static final class Xml {
        private final StringBuilder sb = new StringBuilder();
        private int depth;

        void line(String text) {
            sb.append("\t".repeat(depth)).append(text).append('\n');
        }

        void open(String tag, String... attrs) {
            line("<" + tag + attributes(attrs) + ">");
            depth++;
        }

        void empty(String tag, String... attrs) {
            line("<" + tag + attributes(attrs) + "/>");
        }

        void close(String tag) {
            depth--;
            line("</" + tag + ">");
        }

        private static String attributes(String... kv) {
            StringBuilder a = new StringBuilder();
            for (int i = 0; i < kv.length; i += 2) {
                a.append(' ').append(kv[i]).append("=\"").append(escape(kv[i + 1])).append('"');
            }
            return a.toString();
        }

        /**
         * Escapes attribute text. XML 1.0 cannot hold control characters other than tab, newline and carriage return
         * (not even as character references), so those become the text {@code \\uXXXX}; the three it can hold are
         * written as references so attribute normalization keeps them.
         */
        static String escape(String s) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> out.append("&amp;");
                    case '"' -> out.append("&quot;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '\t' -> out.append("&#9;");
                    case '\n' -> out.append("&#10;");
                    case '\r' -> out.append("&#13;");
                    default -> {
                        if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.toString();
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
