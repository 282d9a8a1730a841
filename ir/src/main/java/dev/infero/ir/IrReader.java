package dev.infero.ir;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpFactories;
import dev.infero.core.op.OpRegistry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.ops.control.Body;
import dev.infero.core.ops.control.ControlFlowOps;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * Reads OpenVINO IR v10 and v11 ({@code .xml} + {@code .bin}) into a {@link Graph}. Every structural problem (a
 * missing layer or port, a constant outside the {@code .bin}, an unknown op) is reported with the layer it concerns.
 */
public final class IrReader {
    private static final System.Logger LOG = System.getLogger(IrReader.class.getName());

    private IrReader() {
    }

    /** Reads {@code xml} and the {@code .bin} of the same base name beside it, with the standard ops. */
    public static Graph read(Path xml) {
        return read(xml, OpRegistry.standard());
    }

    /** Reads {@code xml} and the {@code .bin} beside it, building layers with the factories of {@code ops}. */
    public static Graph read(Path xml, OpFactories ops) {
        String base = xml.getFileName().toString().replaceFirst("\\.xml$", "");
        return read(xml, xml.resolveSibling(base + ".bin"), ops);
    }

    /** Reads {@code xml} and its weights {@code bin}, with the standard ops. */
    public static Graph read(Path xml, Path bin) {
        return read(xml, bin, OpRegistry.standard());
    }

    /** Reads {@code xml} and its weights {@code bin}, building layers with the factories of {@code ops}. */
    public static Graph read(Path xml, Path bin, OpFactories ops) {
        Document doc = parse(xml);
        Element net = doc.getDocumentElement();
        if (!net.getTagName().equals("net")) {
            throw new InvalidModelException(xml + " is not an OpenVINO IR file: its root element is <" + net.getTagName()
                    + ">, not <net>");
        }
        String version = net.getAttribute("version");
        if (!version.equals("10") && !version.equals("11")) {
            throw new UnsupportedModelException(xml + " is IR version " + (version.isEmpty() ? "(none)" : version)
                    + "; Infero reads IR versions 10 and 11");
        }
        ByteBuffer weights = readBin(bin);
        String name = net.getAttribute("name").isEmpty() ? base(xml) : net.getAttribute("name");
        Graph graph = new Graph(name);
        readModelRtInfo(net, graph.metadata());
        IrIntegrity.check(graph.metadata().remove(IrIntegrity.BIN_SHA256), weights, xml, bin);
        readGraph(net, graph, weights, xml, version.equals("10"), ops);
        return graph;
    }

    /** Builds the layers and edges under {@code container} (the net, or a body) into {@code graph}; by layer id. */
    private static Map<Integer, Node> readGraph(Element container, Graph graph, ByteBuffer weights, Path xml,
                                                boolean v10, OpFactories ops) {
        List<Layer> layers = layers(container, xml);
        checkOpsKnown(layers, ops);
        Map<Integer, Layer> byId = new LinkedHashMap<>();
        for (Layer l : layers) {
            if (byId.put(l.id, l) != null) {
                throw new InvalidModelException("IR " + xml + ": layer id " + l.id + " is used twice");
            }
        }
        Map<Layer, Map<Integer, int[]>> sources = edges(container, byId);
        Map<Integer, Node> built = new HashMap<>();
        for (Layer layer : topologicalOrder(layers, sources, byId)) {
            built.put(layer.id, build(layer, graph, weights, sources.getOrDefault(layer, Map.of()), built, byId, v10,
                    ops));
        }
        return built;
    }

    /** A Loop, TensorIterator or If layer: its bodies and port maps, as OpenVINO writes them. */
    private static Op controlFlow(Layer layer, ByteBuffer weights, boolean v10, OpFactories ops) {
        String[][] parts = layer.type.equals("If")
                ? new String[][] {{"then_body", "then_port_map"}, {"else_body", "else_port_map"}}
                : new String[][] {{"body", "port_map"}};
        List<Body> bodies = new ArrayList<>();
        for (String[] part : parts) {
            Element bodyEl = child(layer.element, part[0]);
            Element mapEl = child(layer.element, part[1]);
            if (bodyEl == null || mapEl == null) {
                throw new InferoException("IR layer " + layer.describe() + " has no <" + (bodyEl == null ? part[0]
                        : part[1]) + ">");
            }
            Graph g = new Graph(layer.name + "/" + part[0]);
            Map<Integer, Node> built = readGraph(bodyEl, g, weights, layer.xml, v10, ops);
            List<Body.Input> inputs = new ArrayList<>();
            List<Body.Output> outputs = new ArrayList<>();
            int currentIteration = portMap(mapEl, "input", "current_iteration", g.parameters(), built, layer,
                    Body.Input::new, Body.Input::whole, inputs);
            int condition = portMap(mapEl, "output", "execution_condition", g.results(), built, layer,
                    Body.Output::new, Body.Output::last, outputs);
            List<Body.BackEdge> backEdges = new ArrayList<>();
            Element backEl = child(layer.element, "back_edges");
            if (backEl != null && !layer.type.equals("If")) {
                for (Element e : children(backEl, "edge")) {
                    Node from = built.get(intAttr(e, "from-layer", "back edge of layer " + layer.describe()));
                    Node to = built.get(intAttr(e, "to-layer", "back edge of layer " + layer.describe()));
                    if (from == null || to == null || !g.results().contains(from) || !g.parameters().contains(to)) {
                        throw new InferoException("IR layer " + layer.describe() + ": a back edge must lead from a "
                                + "body Result to a body Parameter");
                    }
                    backEdges.add(new Body.BackEdge(g.results().indexOf(from), g.parameters().indexOf(to)));
                }
            }
            try {
                bodies.add(new Body(part[0], part[1], g, inputs, outputs, backEdges, currentIteration, condition));
            } catch (InferoException e) {
                throw new InferoException("IR layer " + layer.describe() + ": " + e.getMessage(), e);
            }
        }
        return ControlFlowOps.create(layer.type, bodies);
    }

    /** Builds a {@link Body.Input} or {@link Body.Output} from a port-map entry's fields. */
    private interface PortMapEntry<T> {
        T of(int external, int internal, Long axis, long start, long stride, long end, long partSize);
    }

    /**
     * Reads a port map's {@code tag} entries (input or output) into {@code into}, each naming one of {@code nodes};
     * an entry without an axis is built by {@code noAxis} (an input's whole tensor, an output's last iteration).
     * The entry whose purpose is {@code purpose} is not a port: returns the position it names, or -1 if none.
     */
    private static <T> int portMap(Element mapEl, String tag, String purpose, List<Node> nodes,
            Map<Integer, Node> built, Layer layer, PortMapEntry<T> entry, BiFunction<Integer, Integer, T> noAxis,
            List<T> into) {
        int special = -1;
        for (Element e : children(mapEl, tag)) {
            int internal = indexIn(nodes, built, e, layer);
            if (purpose.equals(e.getAttribute("purpose"))) {
                special = internal;
                continue;
            }
            int external = intAttr(e, "external_port_id", "port map of layer " + layer.describe());
            into.add(e.hasAttribute("axis")
                    ? entry.of(external, internal, longAttr(e, "axis", 0), longAttr(e, "start", 0),
                            longAttr(e, "stride", 1), longAttr(e, "end", -1), longAttr(e, "part_size", 1))
                    : noAxis.apply(external, internal));
        }
        return special;
    }

    /** The position in {@code nodes} (a body's parameters or results) of the layer a port-map entry names. */
    private static int indexIn(List<Node> nodes, Map<Integer, Node> built, Element e, Layer layer) {
        int id = intAttr(e, "internal_layer_id", "port map of layer " + layer.describe());
        int at = nodes.indexOf(built.get(id));
        if (at < 0) {
            throw new InferoException("IR layer " + layer.describe() + ": port map entry names body layer " + id
                    + ", which is not a body " + (e.getTagName().equals("input") ? "Parameter" : "Result"));
        }
        return at;
    }

    private static long longAttr(Element e, String name, long defaultValue) {
        if (!e.hasAttribute(name)) {
            return defaultValue;
        }
        try {
            return Long.parseLong(e.getAttribute(name).trim());
        } catch (NumberFormatException ex) {
            throw new InferoException("IR port map entry has invalid " + name + " '" + e.getAttribute(name) + "'");
        }
    }

    private static String base(Path xml) {
        return xml.getFileName().toString().replaceFirst("\\.xml$", "");
    }

    private static Document parse(Path xml) {
        if (!Files.isRegularFile(xml)) {
            throw new InferoException("model file " + xml + " does not exist");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // Model files come from anywhere: no DTDs, no external entities.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(xml.toFile());
        } catch (org.xml.sax.SAXException e) {
            throw new InvalidModelException(xml + " is not well-formed XML: " + e.getMessage());
        } catch (IOException | javax.xml.parsers.ParserConfigurationException e) {
            throw new InferoException("cannot read " + xml + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readBin(Path bin) {
        if (!Files.exists(bin)) {
            return ByteBuffer.allocate(0);
        }
        try {
            return ByteBuffer.wrap(Files.readAllBytes(bin));
        } catch (IOException e) {
            throw new InferoException("cannot read weights file " + bin + ": " + e.getMessage(), e);
        }
    }

    /** One {@code <layer>} as written. */
    private record Layer(int id, String name, String type, String version, Map<String, String> data,
                         List<Port> inputs, List<Port> outputs, Map<String, String> rtInfo, Path xml,
                         Element element) {
        String describe() {
            return "'" + name + "' (id " + id + ", " + type + ")";
        }

        int opset() {
            return OpFactories.opsetOf(version);
        }
    }

    private record Port(int id, String precision, PartialShape shape, List<String> names) {
    }

    private static List<Layer> layers(Element net, Path xml) {
        List<Layer> out = new ArrayList<>();
        Element layersEl = child(net, "layers");
        if (layersEl == null) {
            throw new InvalidModelException("IR " + xml + " has no <layers>");
        }
        for (Element l : children(layersEl, "layer")) {
            int id = intAttr(l, "id", "layer");
            String name = l.getAttribute("name");
            Map<String, String> data = new LinkedHashMap<>();
            Element dataEl = child(l, "data");
            if (dataEl != null) {
                NamedNodeMap attrs = dataEl.getAttributes();
                for (int i = 0; i < attrs.getLength(); i++) {
                    data.put(attrs.item(i).getNodeName(), attrs.item(i).getNodeValue());
                }
            }
            Map<String, String> rt = new LinkedHashMap<>();
            Element rtEl = child(l, "rt_info");
            if (rtEl != null) {
                for (Element a : children(rtEl, "attribute")) {
                    rt.put(a.getAttribute("name"), a.getAttribute("value"));
                }
            }
            out.add(new Layer(id, name, l.getAttribute("type"), l.getAttribute("version"), data,
                    ports(child(l, "input"), name), ports(child(l, "output"), name), rt, xml, l));
        }
        return out;
    }

    private static List<Port> ports(Element parent, String layer) {
        List<Port> ports = new ArrayList<>();
        if (parent == null) {
            return ports;
        }
        for (Element p : children(parent, "port")) {
            List<Element> dims = children(p, "dim");
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                String text = dims.get(i).getTextContent().trim();
                try {
                    long d = text.equals("?") || text.contains("..") ? -1 : Long.parseLong(text);
                    if (d < -1 || d > Integer.MAX_VALUE) {
                        throw new InvalidModelException("IR layer '" + layer + "' port " + p.getAttribute("id")
                                + " has invalid dimension " + text);
                    }
                    shape[i] = (int) d;
                } catch (NumberFormatException e) {
                    throw new InvalidModelException("IR layer '" + layer + "' port " + p.getAttribute("id")
                            + " has invalid dimension '" + text + "'");
                }
            }
            List<String> names = new ArrayList<>();
            if (p.hasAttribute("names") && !p.getAttribute("names").isEmpty()) {
                for (String n : p.getAttribute("names").split("(?<!\\\\),")) {
                    names.add(n.trim().replace("\\,", ","));
                }
            }
            ports.add(new Port(intAttr(p, "id", "port of layer '" + layer + "'"), p.getAttribute("precision"),
                    PartialShape.of(shape), names));
        }
        return ports;
    }

    /** Every op type/version Infero cannot build, in one error. */
    private static void checkOpsKnown(List<Layer> layers, OpFactories ops) {
        Set<String> unknown = new LinkedHashSet<>();
        for (Layer l : layers) {
            if (l.type.equals("Parameter") || l.type.equals("Const")) {
                continue;
            }
            if (!ops.knows(l.type)) {
                unknown.add(l.type + " (layer " + l.describe() + ")");
            } else if (ops.factory(l.type, l.opset()) == null) {
                unknown.add(l.type + " version '" + l.version + "' (layer " + l.describe() + ")");
            }
        }
        warnNewerOpsets(layers, ops);
        if (!unknown.isEmpty()) {
            throw new UnsupportedModelException("the IR uses " + unknown.size() + " unsupported op"
                    + (unknown.size() == 1 ? "" : "s") + ": " + String.join(", ", unknown), List.copyOf(unknown));
        }
    }

    /**
     * Layers of an opset newer than Infero knows are read as the newest version it has of their op, which is right
     * as long as the op did not change: said once per model, naming the assumption, instead of silently.
     */
    private static void warnNewerOpsets(List<Layer> layers, OpFactories ops) {
        int newest = ops.newestOpset();
        Set<String> newer = new LinkedHashSet<>();
        for (Layer l : layers) {
            int opset = l.opset();
            if (opset > newest && opset != OpFactories.INFERO_OPSET && ops.factory(l.type, opset) != null) {
                newer.add(l.type + " " + l.version);
            }
        }
        if (!newer.isEmpty()) {
            String xml = layers.get(0).xml().toString();
            LOG.log(System.Logger.Level.WARNING, xml + " uses ops of opsets newer than opset" + newest + ", the newest "
                    + "Infero knows (" + String.join(", ", newer) + "); they are read as their newest version Infero has");
        }
    }

    /** For each layer: input port id → {source layer id, source port id}. */
    private static Map<Layer, Map<Integer, int[]>> edges(Element net, Map<Integer, Layer> byId) {
        Map<Layer, Map<Integer, int[]>> sources = new HashMap<>();
        Element edgesEl = child(net, "edges");
        if (edgesEl == null) {
            return sources;
        }
        for (Element e : children(edgesEl, "edge")) {
            int fromLayer = intAttr(e, "from-layer", "edge");
            int fromPort = intAttr(e, "from-port", "edge");
            int toLayer = intAttr(e, "to-layer", "edge");
            int toPort = intAttr(e, "to-port", "edge");
            Layer from = byId.get(fromLayer);
            Layer to = byId.get(toLayer);
            String edge = "edge " + fromLayer + ":" + fromPort + " -> " + toLayer + ":" + toPort;
            if (from == null || to == null) {
                throw new InvalidModelException("IR " + edge + " refers to missing layer " + (from == null ? fromLayer : toLayer));
            }
            if (from.outputs.stream().noneMatch(p -> p.id == fromPort)) {
                throw new InvalidModelException("IR " + edge + ": layer " + from.describe() + " has no output port " + fromPort);
            }
            if (to.inputs.stream().noneMatch(p -> p.id == toPort)) {
                throw new InvalidModelException("IR " + edge + ": layer " + to.describe() + " has no input port " + toPort);
            }
            if (sources.computeIfAbsent(to, k -> new TreeMap<>()).put(toPort, new int[] {fromLayer, fromPort}) != null) {
                throw new InvalidModelException("IR " + edge + ": input port " + toPort + " of layer " + to.describe()
                        + " has more than one incoming edge");
            }
        }
        return sources;
    }

    private static List<Layer> topologicalOrder(List<Layer> layers, Map<Layer, Map<Integer, int[]>> sources,
                                                Map<Integer, Layer> byId) {
        Map<Layer, Integer> pending = new HashMap<>();
        Map<Layer, List<Layer>> consumers = new HashMap<>();
        for (Layer l : layers) {
            Map<Integer, int[]> in = sources.getOrDefault(l, Map.of());
            pending.put(l, in.size());
            for (int[] src : in.values()) {
                consumers.computeIfAbsent(byId.get(src[0]), k -> new ArrayList<>()).add(l);
            }
        }
        // Among ready layers take the earliest in the file, so a file written in topological order keeps its order.
        Map<Layer, Integer> position = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            position.put(layers.get(i), i);
        }
        java.util.PriorityQueue<Layer> ready = new java.util.PriorityQueue<>(java.util.Comparator.comparing(position::get));
        for (Layer l : layers) {
            if (pending.get(l) == 0) {
                ready.add(l);
            }
        }
        List<Layer> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            Layer l = ready.poll();
            order.add(l);
            for (Layer c : consumers.getOrDefault(l, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        if (order.size() != layers.size()) {
            Layer stuck = layers.stream().filter(l -> !order.contains(l)).findFirst().orElseThrow();
            throw new InvalidModelException("IR layers form a cycle (through layer " + stuck.describe() + ")");
        }
        return order;
    }

    /**
     * Builds one layer. With {@code f32Inference} (IR v10, whose FP16 files mix f16 and f32 tensors) the model runs in
     * f32 as OpenVINO's CPU plugin runs it: f16 inputs become f32, f16 constants stay compressed behind a decompression
     * Convert to f32, and Converts to f16 convert to f32 instead.
     */
    private static Node build(Layer layer, Graph graph, ByteBuffer weights, Map<Integer, int[]> sources,
                              Map<Integer, Node> built, Map<Integer, Layer> byId, boolean f32Inference,
                              OpFactories ops) {
        Map<String, String> data = layer.data;
        if (f32Inference && layer.type.equals("Convert") && "f16".equals(data.get("destination_type"))) {
            data = new LinkedHashMap<>(data);
            data.put("destination_type", "f32");
        }
        AttributeSource attrs = new AttributeSource(layer.describe(), data);
        Node node;
        switch (layer.type) {
            case "Parameter" -> {
                ElementType type = attrs.elementType("element_type");
                try {
                    node = graph.addParameter(layer.name, f32Inference && type == ElementType.F16 ? ElementType.F32
                            : type, attrs.shape("shape"));
                } catch (InferoException e) {
                    throw InvalidModelException.wrap("IR " + layer.xml() + ": ", e);
                }
            }
            case "Const" -> {
                Tensor value = constant(attrs, layer, weights);
                if (f32Inference && value.type() == ElementType.F16) {
                    Node compressed = graph.addConstant(layer.name + "/compressed", value);
                    node = graph.add(new Convert(ElementType.F32), layer.name, List.of(compressed.output(0)));
                    node.rtInfo().put("decompression", "");
                } else {
                    node = graph.addConstant(layer.name, value);
                }
            }
            default -> {
                List<Value> inputs = new ArrayList<>();
                for (Port p : layer.inputs) {
                    int[] src = sources.get(p.id);
                    if (src == null) {
                        throw new InvalidModelException("IR layer " + layer.describe() + " input port " + p.id
                                + " has no incoming edge");
                    }
                    Layer from = byId.get(src[0]);
                    int outputIndex = indexOfPort(from.outputs, src[1]);
                    inputs.add(built.get(src[0]).output(outputIndex));
                }
                if (layer.type.equals("PReLU") || layer.type.equals("PRelu")) {
                    channelSlope(graph, layer, inputs);
                }
                Op op = ControlFlowOps.hasBodies(layer.type) ? controlFlow(layer, weights, f32Inference, ops)
                        : ops.factory(layer.type, layer.opset()).apply(attrs);
                try {
                    node = layer.type.equals("Result") ? graph.addResult(layer.name, inputs.get(0))
                            : graph.add(op, layer.name, inputs);
                } catch (InferoException e) {
                    throw InvalidModelException.wrap("IR layer " + layer.describe() + ": ", e);
                }
            }
        }
        node.rtInfo().putAll(layer.rtInfo);
        if (!layer.type.equals("Result")) {
            if (node.outputs().size() != layer.outputs.size()) {
                throw new InvalidModelException("IR layer " + layer.describe() + " declares " + layer.outputs.size()
                        + " outputs but the op has " + node.outputs().size());
            }
            for (int i = 0; i < layer.outputs.size(); i++) {
                node.output(i).names().addAll(layer.outputs.get(i).names);
            }
        } else {
            // A Result has no output port: the model output is known by the names of the port it reads.
            node.output(0).names().addAll(node.input(0).names());
        }
        return node;
    }

    private static int indexOfPort(List<Port> ports, int id) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).id == id) {
                return i;
            }
        }
        throw new IllegalStateException("port " + id + " vanished");
    }

    /**
     * OpenVINO's PRelu applies a 1-D slope of C values along the channel axis (1) of data of rank 2 or more; Infero's
     * PRelu broadcasts numpy-style, as ONNX's does. Such a slope is reshaped to {@code [C, 1, ...]} here, which means
     * the same under both rules.
     */
    private static void channelSlope(Graph graph, Layer layer, List<Value> inputs) {
        if (inputs.size() != 2) {
            return;
        }
        PartialShape data = inputs.get(0).shape();
        PartialShape slope = inputs.get(1).shape();
        if (!data.hasRank() || data.rank() < 3 || !slope.hasRank() || slope.rank() != 1 || !slope.isStatic()
                || data.isDynamic(1) || data.dim(1) != slope.dim(0)) {
            return;
        }
        long[] shape = new long[data.rank() - 1];
        java.util.Arrays.fill(shape, 1);
        shape[0] = slope.dim(0);
        Node target = graph.addConstant(layer.name + "/slope_shape", Tensor.of(shape, shape.length));
        Node reshaped = graph.add(new Reshape(false), layer.name + "/channel_slope",
                List.of(inputs.get(1), target.output(0)));
        inputs.set(1, reshaped.output(0));
    }

    private static Tensor constant(AttributeSource attrs, Layer layer, ByteBuffer weights) {
        ElementType type = attrs.elementType("element_type");
        PartialShape shape = attrs.shape("shape");
        if (!shape.isStatic()) {
            throw attrs.error("has a non-static shape " + shape);
        }
        long offset = attrs.integer("offset");
        long size = attrs.integer("size");
        long binLength = weights.capacity();
        // Compare without adding offset + size, which could overflow for hostile values.
        if (offset < 0 || size < 0 || offset > binLength || size > binLength - offset) {
            throw attrs.error("reads bytes [" + offset + ", " + offset + "+" + size + ") but the .bin file has only "
                    + binLength + " bytes");
        }
        ByteBuffer slice = weights.duplicate().position((int) offset).limit((int) (offset + size)).slice();
        return TensorBytes.fromLittleEndian(type, shape.toArray(), slice, "IR layer " + layer.describe());
    }

    private static void readModelRtInfo(Element net, Map<String, String> metadata) {
        Element rt = child(net, "rt_info");
        if (rt == null) {
            return;
        }
        for (Element e : children(rt, null)) {
            if (e.hasAttribute("value")) {
                metadata.put(e.getTagName(), e.getAttribute("value"));
            }
            for (Element inner : children(e, null)) {
                if (inner.hasAttribute("value")) {
                    metadata.put(e.getTagName() + "/" + inner.getTagName(), inner.getAttribute("value"));
                }
            }
        }
    }

    private static int intAttr(Element e, String name, String what) {
        String v = e.getAttribute(name);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException ex) {
            throw new InvalidModelException("IR " + what + " has invalid " + name + " '" + v + "'");
        }
    }

    private static Element child(Element parent, String tag) {
        List<Element> c = children(parent, tag);
        return c.isEmpty() ? null : c.get(0);
    }

    /** Direct element children, optionally only those with tag {@code tag}. */
    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && (tag == null || e.getTagName().equals(tag))) {
                out.add(e);
            }
        }
        return out;
    }
}
