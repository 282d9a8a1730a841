package dev.infero.tf;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.GraphDef;
import dev.infero.tf.proto.Tf.NodeDef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds an Infero {@link Graph} from a TensorFlow {@link GraphDef}: Placeholders become parameters (keeping
 * TensorFlow's shape and NHWC layout), Consts constants, and every node the outputs depend on is translated by its
 * {@link TfTranslator}, in dependency order (a GraphDef's nodes may come in any order; nodes the outputs do not need
 * are skipped). NHWC data is converted layout-aware, see {@link TfValue}.
 *
 * <p>A companion graph (OpenCV's text graphs, given with {@code --input_proto}) adds the nodes the model does not
 * define, such as the {@code PriorBox} and {@code DetectionOutput} of an SSD detector; its final nodes become the
 * outputs. Nodes defined in both keep the model's definition.
 */
public final class TfImporter {
    /** Ops that are never model outputs even when nothing reads them. */
    private static final Set<String> NOT_OUTPUTS = Set.of("Const", "NoOp", "Placeholder", "PlaceholderWithDefault",
            "Assert", "SaveV2", "RestoreV2", "Save", "Restore", "VarHandleOp", "VariableV2", "Variable",
            "VarIsInitializedOp", "AssignVariableOp", "Assign", "MergeV2Checkpoints", "ShardedFilename",
            "StringJoin");
    /** Ops whose data input must be a 4-D image tensor: an input of unknown rank read by one of them is 4-D. */
    private static final Set<String> IMAGE_OPS = Set.of("Conv2D", "DepthwiseConv2dNative", "FusedBatchNorm",
            "FusedBatchNormV2", "FusedBatchNormV3", "MaxPool", "AvgPool", "ResizeBilinear", "ResizeNearestNeighbor");

    private TfImporter() {
    }

    /**
     * Imports {@code model} (with an optional {@code companion}); {@code file} names the source in errors,
     * {@code outputs} lists output tensors to use instead of the graph's final nodes (empty: those).
     */
    public static Graph importGraph(GraphDef model, GraphDef companion, String file, String name,
                                    List<String> outputs) {
        Context ctx = new Context(new Graph(name), file);
        Map<String, NodeDef> nodes = new LinkedHashMap<>();
        addNodes(nodes, model, ctx, null);
        List<String> outs = new ArrayList<>(outputs);
        if (companion != null) {
            Set<String> fromCompanion = new HashSet<>();
            addNodes(nodes, companion, ctx, fromCompanion);
            if (outs.isEmpty()) {
                outs.addAll(sinks(companion.getNodeList()));
            }
        }
        if (outs.isEmpty()) {
            outs.addAll(sinks(model.getNodeList()));
        }
        if (outs.isEmpty()) {
            throw new InvalidModelException(ctx.where() + "the graph has no output: every node is a constant, input or "
                    + "is read by another node");
        }
        List<NodeDef> order = order(nodes, outs, ctx);
        Fusions fusions = Fusions.find(order, nodes);
        checkSupported(order, fusions, ctx);
        Graph graph = ctx.graph();
        graph.metadata().put("framework", "tensorflow");
        if (model.hasVersions()) {
            graph.metadata().put("producer", "TensorFlow GraphDef version " + model.getVersions().getProducer());
        }
        Map<String, List<NodeDef>> readers = readers(order);
        for (NodeDef def : order) {
            if (fusions.skipped.contains(def.getName())) {
                continue;
            }
            translate(def, ctx, readers, fusions, nodes);
        }
        for (String out : outs) {
            TfValue v = ctx.value(out, "output");
            Value plain = ctx.plain(v);
            String node = nodeName(out);
            int index = outputIndex(out);
            var result = graph.addResult(out.contains(":") && index != 0 ? out.replace(':', '_') : node, plain);
            if (index == 0) {
                result.output(0).names().add(node);
            }
            result.output(0).names().add(node + ":" + index);
            plain.names().add(index == 0 ? node : out);
        }
        return graph;
    }

    private static void addNodes(Map<String, NodeDef> nodes, GraphDef g, Context ctx, Set<String> added) {
        Set<String> seen = new HashSet<>();
        for (NodeDef n : g.getNodeList()) {
            if (n.getName().isEmpty()) {
                throw new InvalidModelException(ctx.where() + "a " + n.getOp() + " node has no name");
            }
            if (!seen.add(n.getName())) {
                throw new InvalidModelException(ctx.where() + "two nodes are named '" + n.getName() + "'");
            }
            if (added == null || !nodes.containsKey(n.getName())) {
                nodes.put(n.getName(), n);
                if (added != null) {
                    added.add(n.getName());
                }
            }
        }
    }

    /** Nodes nothing reads (neither as data nor as control input), except constants, inputs and bookkeeping. */
    static List<String> sinks(List<NodeDef> nodes) {
        Set<String> read = new HashSet<>();
        for (NodeDef n : nodes) {
            for (String in : n.getInputList()) {
                read.add(nodeName(in.startsWith("^") ? in.substring(1) : in));
            }
        }
        List<String> sinks = new ArrayList<>();
        for (NodeDef n : nodes) {
            if (!read.contains(n.getName()) && !NOT_OUTPUTS.contains(n.getOp())) {
                sinks.add(n.getName());
            }
        }
        return sinks;
    }

    /** The node part of a tensor name {@code node:index}. */
    static String nodeName(String tensor) {
        int colon = tensor.lastIndexOf(':');
        if (colon > 0 && colon < tensor.length() - 1 && tensor.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return tensor.substring(0, colon);
        }
        return tensor;
    }

    static int outputIndex(String tensor) {
        String node = nodeName(tensor);
        if (node.length() == tensor.length()) {
            return 0;
        }
        try {
            return Integer.parseInt(tensor.substring(node.length() + 1));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The nodes the outputs depend on (through data inputs), each after its inputs. */
    private static List<NodeDef> order(Map<String, NodeDef> nodes, List<String> outputs, Context ctx) {
        List<NodeDef> order = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 = on the stack, 2 = done
        for (String out : outputs) {
            String root = nodeName(out);
            if (!nodes.containsKey(root)) {
                throw new InvalidModelException(ctx.where() + "output '" + out + "' names no node of the graph");
            }
            ArrayDeque<String[]> stack = new ArrayDeque<>();
            stack.push(new String[] {root, null});
            while (!stack.isEmpty()) {
                String[] top = stack.peek();
                String name = top[0];
                Integer s = state.get(name);
                if (s != null && s == 2) {
                    stack.pop();
                    continue;
                }
                NodeDef def = nodes.get(name);
                if (def == null) {
                    throw new InvalidModelException(ctx.where() + "TensorFlow node '" + top[1] + "' reads '" + name
                            + "', which the graph does not define");
                }
                if (s == null) {
                    state.put(name, 1);
                    for (String in : def.getInputList()) {
                        if (in.startsWith("^")) {
                            continue; // control dependencies do not carry data
                        }
                        String dep = nodeName(in);
                        Integer ds = state.get(dep);
                        if (ds != null && ds == 1) {
                            throw new InvalidModelException(ctx.where() + "TensorFlow node '" + name + "' (" + def.getOp()
                                    + ") is part of a cycle through '" + dep + "': control-flow loops are not supported");
                        }
                        if (ds == null) {
                            stack.push(new String[] {dep, name});
                        }
                    }
                } else {
                    stack.pop();
                    state.put(name, 2);
                    order.add(def);
                }
            }
        }
        return order;
    }

    private static Map<String, List<NodeDef>> readers(List<NodeDef> order) {
        Map<String, List<NodeDef>> readers = new HashMap<>();
        for (NodeDef n : order) {
            for (String in : n.getInputList()) {
                if (!in.startsWith("^")) {
                    readers.computeIfAbsent(nodeName(in), k -> new ArrayList<>()).add(n);
                }
            }
        }
        return readers;
    }

    /** The shape of a constant reached through Identity, Dequantize and Cast nodes, or {@code null}. */
    private static int[] constantShape(Map<String, NodeDef> nodes, String tensor, int depth) {
        NodeDef n = nodes.get(nodeName(tensor));
        if (n == null || depth > 8) {
            return null;
        }
        if (n.getOp().equals("Const") && n.containsAttr("value")) {
            PartialShape s = TfTensors.shape(n.getAttrOrThrow("value").getTensor().getTensorShape(), n.getName());
            return s.hasRank() && s.isStatic() ? s.toArray() : null;
        }
        if (Set.of("Identity", "Dequantize", "Cast", "StopGradient").contains(n.getOp()) && n.getInputCount() > 0) {
            return constantShape(nodes, n.getInput(0), depth + 1);
        }
        return null;
    }

    /** Fails with every unsupported op (grouped by op, with all node names) at once. */
    private static void checkSupported(List<NodeDef> order, Fusions fusions, Context ctx) {
        Map<String, List<String>> unsupported = new TreeMap<>();
        for (NodeDef n : order) {
            if (!fusions.skipped.contains(n.getName()) && !fusions.dilated.containsKey(n.getName())
                    && TfOpRegistry.translator(n.getOp()) == null) {
                unsupported.computeIfAbsent(n.getOp(), k -> new ArrayList<>()).add("'" + n.getName() + "'");
            }
        }
        if (!unsupported.isEmpty()) {
            List<String> all = new ArrayList<>();
            unsupported.forEach((op, names) -> all.add(op + " (" + (names.size() == 1 ? "node " : names.size()
                    + " nodes: ") + String.join(", ", names) + ")"));
            throw new UnsupportedModelException(ctx.where() + "the model cannot be imported: unsupported TensorFlow op"
                    + (unsupported.size() == 1 ? " " : "s ") + String.join(", ", unsupported.keySet()) + "; details: "
                    + String.join("; ", all), all);
        }
    }

    private static void translate(NodeDef def, Context ctx, Map<String, List<NodeDef>> readers, Fusions fusions,
                                  Map<String, NodeDef> nodes) {
        List<TfValue> inputs = new ArrayList<>();
        Fusions.DilatedConv dilated = fusions.dilated.get(def.getName());
        List<String> dataInputs = dilated == null ? def.getInputList() : dilated.inputs();
        for (String in : dataInputs) {
            if (!in.startsWith("^")) {
                inputs.add(ctx.value(in, def.getName()));
            }
        }
        if (def.getOp().equals("Placeholder")) {
            ctx.imageInput = false;
            ctx.imageChannels = -1;
            for (NodeDef r : readers.getOrDefault(def.getName(), List.of())) {
                var format = r.getAttrOrDefault("data_format", null);
                if (IMAGE_OPS.contains(r.getOp()) && (format == null || !format.getS().toStringUtf8().equals("NCHW"))) {
                    ctx.imageInput = true;
                    if (ctx.imageChannels < 0 && r.getInputCount() > 1) {
                        // the channel count from the filter [kh, kw, C, ...] or the batch norm scale [C]
                        boolean conv = r.getOp().startsWith("Conv") || r.getOp().startsWith("Depthwise");
                        int[] shape = constantShape(nodes, r.getInput(1), 0);
                        if (shape != null && shape.length == (conv ? 4 : 1)) {
                            ctx.imageChannels = shape[conv ? 2 : 0];
                        }
                    }
                }
            }
        }
        TfNode node = new TfNode(def, inputs, ctx);
        List<TfValue> outs;
        try {
            outs = dilated != null ? dilated.translate(node) : TfOpRegistry.translator(def.getOp()).translate(node);
        } catch (UnsupportedModelException e) {
            throw e;
        } catch (ResourceLimitException e) {
            throw new ResourceLimitException(ctx.where() + "TensorFlow node '" + node.name() + "' (" + node.op()
                    + "): " + e.getMessage().replaceFirst("^node '[^']*' \\([^)]*\\)(?: output \\d+)?: ", ""), e);
        } catch (InferoException e) {
            String m = e.getMessage();
            throw m.contains("TensorFlow node '") ? e
                    : node.error(m.replaceFirst("^node '[^']*' \\([^)]*\\): ", ""));
        } catch (RuntimeException e) {
            throw node.error("cannot translate: " + e);
        }
        for (int i = 0; i < outs.size(); i++) {
            TfValue v = outs.get(i);
            if (v == null) {
                continue;
            }
            v.value().names().add(i == 0 ? def.getName() : def.getName() + ":" + i);
            ctx.values.put(def.getName() + ":" + i, v);
        }
        ctx.outputCounts.put(def.getName(), outs.size());
    }

    /** What the translation of one graph shares: the Infero graph, the values made so far, layout conversions. */
    static final class Context {
        private final Graph graph;
        private final String file;
        final Map<String, TfValue> values = new HashMap<>();
        final Map<String, Integer> outputCounts = new HashMap<>();
        private final Map<Value, Value> toNchw = new IdentityHashMap<>();
        private final Map<Value, Value> toPlain = new IdentityHashMap<>();
        /** Whether the Placeholder being translated feeds an NHWC image op (so unknown rank means 4-D). */
        boolean imageInput;
        /** Its channel count when the image op's filter or scale tells it, else -1. */
        int imageChannels = -1;

        Context(Graph graph, String file) {
            this.graph = graph;
            this.file = file;
        }

        Graph graph() {
            return graph;
        }

        String where() {
            return file == null || file.isEmpty() ? "" : file + ": ";
        }

        TfValue value(String tensor, String reader) {
            String node = nodeName(tensor);
            int index = outputIndex(tensor);
            TfValue v = values.get(node + ":" + index);
            if (v == null) {
                Integer count = outputCounts.get(node);
                throw new InvalidModelException(where() + "TensorFlow node '" + reader + "' reads '" + tensor + "', "
                        + (count == null ? "which the graph does not define"
                        : "but node '" + node + "' has " + count + " output(s) Infero translates"));
            }
            return v;
        }

        /** {@code v} in TensorFlow's layout. */
        Value plain(TfValue v) {
            if (!v.nchw()) {
                return v.value();
            }
            return toPlain.computeIfAbsent(v.value(), x -> {
                Value t = graph.add(new Transpose(), x.node().name() + "/to_nhwc", x,
                        graph.addConstant(x.node().name() + "/to_nhwc/perm", Tensor.vector(0, 2, 3, 1)).output(0))
                        .output(0);
                toNchw.put(t, x);
                return t;
            });
        }

        /** {@code v}, a 4-D NHWC tensor, as NCHW. */
        Value nchw(TfValue v, TfNode reader) {
            if (v.nchw()) {
                return v.value();
            }
            PartialShape s = v.value().shape();
            if (!s.hasRank() || s.rank() != 4) {
                throw reader.error("needs a 4-D NHWC input, got shape " + s);
            }
            return toNchw.computeIfAbsent(v.value(), x -> {
                Value t = graph.add(new Transpose(), x.node().name() + "/to_nchw", x,
                        graph.addConstant(x.node().name() + "/to_nchw/perm", Tensor.vector(0, 3, 1, 2)).output(0))
                        .output(0);
                toPlain.put(t, x);
                return t;
            });
        }
    }

    /** The Infero element type of a node's dtype attribute. */
    static ElementType type(TfNode n, String attr, DataType defaultType) {
        return TfTensors.elementType(n.attrType(attr, defaultType), "attribute " + attr + " of node '" + n.name() + "'");
    }
}
