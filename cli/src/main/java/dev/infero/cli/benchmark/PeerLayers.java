package dev.infero.cli.benchmark;

import dev.infero.core.InferoException;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-layer counters of two devices matched through the ONNX model both run (the peer's
 * {@code EXECUTED_MODEL_FILE}): each side's layers are traced to the nodes of that model, and layers of the two sides
 * that share a node fall into one group, so a fusion on either side (ORT's Conv+Relu as one NCHWc kernel, Infero's
 * Conv+bias+ReLU as one step) makes a group of several nodes rather than a false mismatch.
 *
 * <p>How a layer is traced: by name (a layer's name is the model node's, or the node's first output when it has none,
 * possibly with a suffix {@code _2}, {@code /part}, {@code :1} for the pieces a node was split into), else by the
 * tensors its node produces (the side's own graph, if given); a layer reported as {@code fused_into:X} counts with X.
 * A side that reports the graph it optimized the model into ({@code OPTIMIZED_MODEL_FILE}, ONNX Runtime) is traced
 * through it: a node's anchor is the model node producing one of its outputs, else the one its name is derived from
 * (ORT names an NCHWc node {@code <tensor>_nchwc}); from there back through every model node whose output the
 * optimized graph no longer holds (fused away), up to the model op the kernel computes (a Conv kernel absorbs the
 * BatchNorm and element-wise ops after its Conv, not the layers before it); model nodes that no walk reaches (a Sum
 * and Relu fused into a Conv named after the Conv's output) go to the last-run node among those computing their
 * inputs; nodes that compute no model tensor go with a neighbour (ReorderOutput with the node whose output it
 * converts, ReorderInput and inserted Reshapes with their consumer). Unnamed model nodes (older PyTorch exports) go by
 * the names ORT's profile gives them, {@code <op type>_<node index>} ({@link #nameUnnamed}). Layers that cannot be
 * traced, or whose group has
 * no layer of the other side, are the unmatched remainder, summed by type.
 */
final class PeerLayers {
    private static final Pattern SUFFIX = Pattern.compile("^(.+)(?:_\\d+|/[^/]*|:\\d+|_[A-Za-z]+)$");
    /** How ONNX Runtime's profile names an unnamed node: {@code <op type>_<node index>}. */
    private static final Pattern INDEXED = Pattern.compile("^([A-Za-z][A-Za-z0-9]*)_(\\d+)$");

    /** One side's executed layer (or node) with its time in milliseconds. */
    record Layer(String name, String type, String execType, double ms) {
    }

    /** Layers of both sides that compute the same part of the model; {@code peerOps}: e.g. {@code Conv+Relu(NchwcConv)}. */
    record Group(List<Layer> device, List<Layer> peer, String shape, String peerOps) {
        double deviceMs() {
            return device.stream().mapToDouble(Layer::ms).sum();
        }

        double peerMs() {
            return peer.stream().mapToDouble(Layer::ms).sum();
        }

        double gap() {
            return deviceMs() - peerMs();
        }

        double ratio() {
            return deviceMs() / peerMs();
        }

        /** The type of the group's most expensive layer on the device side. */
        String deviceType() {
            return device.stream().max(Comparator.comparingDouble(Layer::ms)).map(Layer::type).orElse("?");
        }

        String deviceExecTypes() {
            return String.join(", ", new LinkedHashSet<>(device.stream().map(Layer::execType).toList()));
        }

        String deviceNames() {
            return String.join(", ", device.stream().map(Layer::name).toList());
        }

        String peerNames() {
            return String.join(", ", peer.stream().map(Layer::name).toList());
        }
    }

    /** Matched groups summed by the device's layer type. */
    record TypeTotal(String type, int groups, double deviceMs, double peerMs) {
        double ratio() {
            return deviceMs / peerMs;
        }
    }

    /** Layers of one side left unmatched, summed by type. */
    record Unmatched(boolean device, String type, int count, double ms) {
    }

    /**
     * The comparison: groups by the absolute gap, largest first; {@code runs}: profiled runs per side (each layer's
     * time is its median over them, or what the device reports over them); {@code traced}: how the layers were
     * matched.
     */
    record Table(List<Group> groups, List<TypeTotal> byType, List<Unmatched> unmatched, double deviceTotalMs,
                 double peerTotalMs, int deviceRuns, int peerRuns, String traced) {
    }

    /** One side: its counters, its own graph (for the tensors its layers produce) and its optimized graph, if any. */
    record Side(List<ProfilingInfo> counters, Graph graph, ModelProto optimized) {
    }

    private PeerLayers() {
    }

    /** Reads an ONNX file's graph (with its weights: the files here are the ones the devices just loaded). */
    static ModelProto readModel(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new InferoException(what + " " + file + " cannot be read as an ONNX model: " + e.getMessage(), e);
        }
    }

    /** The model's graph: its nodes, which node produces which tensor, what is given (inputs, weights, constants). */
    private static final class Model {
        final List<NodeProto> nodes;
        final Map<String, Integer> byKey = new HashMap<>();
        final Map<String, Integer> producer = new HashMap<>();
        final Set<String> given = new HashSet<>();

        Model(GraphProto g) {
            nodes = g.getNodeList();
            Set<String> weights = new HashSet<>();
            for (TensorProto t : g.getInitializerList()) {
                weights.add(t.getName());
            }
            for (int i = 0; i < nodes.size(); i++) {
                NodeProto n = nodes.get(i);
                // Nodes computed from weights alone (Constant, ConstantOfShape of a stored shape, ...) are folded by
                // any runtime: their outputs count as weights. ONNX lists nodes in topological order.
                if (n.getInputList().stream().allMatch(in -> in.isEmpty() || weights.contains(in))) {
                    weights.addAll(n.getOutputList());
                    continue;
                }
                if (!n.getName().isEmpty()) {
                    byKey.putIfAbsent(n.getName(), i);
                } else {
                    // ONNX Runtime names an unnamed node <op type>_<its index in the model> in its profile (older
                    // PyTorch exports name no node), and keeps it unnamed in its optimized graph.
                    byKey.putIfAbsent(n.getOpType() + "_" + i, i);
                }
                if (n.getOutputCount() > 0) {
                    byKey.putIfAbsent(n.getOutput(0), i);
                }
                for (String o : n.getOutputList()) {
                    producer.put(o, i);
                }
            }
            given.addAll(weights);
            for (ValueInfoProto v : g.getInputList()) {
                given.add(v.getName());
            }
        }

        /** The node a layer named {@code name} comes from: by name or first output, then without suffixes. */
        Integer byName(String name) {
            for (String n = name; n != null; ) {
                Integer i = byKey.get(n);
                if (i != null) {
                    return i;
                }
                Matcher m = SUFFIX.matcher(n);
                n = m.matches() ? m.group(1) : null;
            }
            return null;
        }
    }

    static Table match(Side device, Side peer, ModelProto model, int deviceRuns, int peerRuns) {
        Model m = model == null ? null : new Model(model.getGraph());
        List<Layer> dl = new ArrayList<>();
        List<Set<Integer>> dn = new ArrayList<>();
        trace(device, m, dl, dn);
        List<Layer> pl = new ArrayList<>();
        List<Set<Integer>> pn = new ArrayList<>();
        trace(peer, m, pl, pn);
        int nodes = m == null ? 0 : m.nodes.size();
        int[] parent = new int[dl.size() + pl.size() + nodes];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        int base = dl.size() + pl.size();
        for (int i = 0; i < dl.size(); i++) {
            for (int n : dn.get(i)) {
                union(parent, i, base + n);
            }
        }
        for (int i = 0; i < pl.size(); i++) {
            for (int n : pn.get(i)) {
                union(parent, dl.size() + i, base + n);
            }
        }
        Map<Integer, List<Integer>> components = new LinkedHashMap<>();
        for (int i = 0; i < base; i++) {
            components.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
        }
        List<Group> groups = new ArrayList<>();
        Map<String, double[]> unmatchedDevice = new LinkedHashMap<>();
        Map<String, double[]> unmatchedPeer = new LinkedHashMap<>();
        for (List<Integer> c : components.values()) {
            List<Layer> d = new ArrayList<>();
            List<Layer> p = new ArrayList<>();
            Set<Integer> covered = new TreeSet<>();
            for (int i : c) {
                if (i < dl.size()) {
                    d.add(dl.get(i));
                } else {
                    p.add(pl.get(i - dl.size()));
                    covered.addAll(pn.get(i - dl.size()));
                }
            }
            if (!d.isEmpty() && !p.isEmpty()) {
                groups.add(new Group(d, p, shape(device.graph(), d), peerOps(m, p, c, dl.size(), pn)));
            } else {
                for (Layer l : d) {
                    add(unmatchedDevice, l);
                }
                for (Layer l : p) {
                    add(unmatchedPeer, l);
                }
            }
        }
        groups.sort(Comparator.comparingDouble((Group g) -> Math.abs(g.gap())).reversed());
        Map<String, double[]> types = new LinkedHashMap<>();
        for (Group g : groups) {
            double[] t = types.computeIfAbsent(g.deviceType(), k -> new double[3]);
            t[0]++;
            t[1] += g.deviceMs();
            t[2] += g.peerMs();
        }
        List<TypeTotal> byType = new ArrayList<>();
        types.forEach((k, v) -> byType.add(new TypeTotal(k, (int) v[0], v[1], v[2])));
        byType.sort(Comparator.comparingDouble((TypeTotal t) -> Math.abs(t.deviceMs() - t.peerMs())).reversed());
        List<Unmatched> unmatched = new ArrayList<>();
        unmatchedDevice.forEach((k, v) -> unmatched.add(new Unmatched(true, k, (int) v[0], v[1])));
        unmatchedPeer.forEach((k, v) -> unmatched.add(new Unmatched(false, k, (int) v[0], v[1])));
        unmatched.sort(Comparator.comparingDouble(Unmatched::ms).reversed());
        String traced = m == null ? "no ONNX model to trace the layers to: only the sums by type compare"
                : peer.optimized() != null || device.optimized() != null
                ? "traced to the ONNX model's nodes by name and through the peer's optimized graph"
                : "traced to the ONNX model's nodes by name";
        return new Table(groups, byType, unmatched, dl.stream().mapToDouble(Layer::ms).sum(),
                pl.stream().mapToDouble(Layer::ms).sum(), deviceRuns, peerRuns, traced);
    }

    private static void add(Map<String, double[]> acc, Layer l) {
        double[] a = acc.computeIfAbsent(l.type(), k -> new double[2]);
        a[0]++;
        a[1] += l.ms();
    }

    /**
     * The executed layers of {@code side} into {@code layers}, and the model nodes each covers into {@code nodes}:
     * a layer reported as {@code fused_into:X} adds its nodes to X.
     */
    private static void trace(Side side, Model m, List<Layer> layers, List<Set<Integer>> nodes) {
        Map<String, Integer> index = new HashMap<>();
        for (ProfilingInfo p : side.counters()) {
            if (p.status() == ProfilingInfo.Status.EXECUTED) {
                index.put(p.nodeName(), layers.size());
                layers.add(new Layer(p.nodeName(), p.nodeType(), p.execType(), p.realTimeNanos() / 1e6));
                nodes.add(new LinkedHashSet<>());
            }
        }
        if (m == null) {
            return;
        }
        if (side.optimized() != null) {
            traceOptimized(side.optimized().getGraph(), m, layers, nodes, index);
            return;
        }
        Map<String, Node> own = new HashMap<>();
        if (side.graph() != null) {
            for (Node n : side.graph().nodes()) {
                own.put(n.name(), n);
            }
        }
        for (ProfilingInfo p : side.counters()) {
            Integer owner = index.get(p.nodeName());
            if (owner == null && p.execType() != null && p.execType().startsWith("fused_into:")) {
                owner = index.get(p.execType().substring("fused_into:".length()));
            }
            if (owner == null) {
                continue;
            }
            Set<Integer> set = nodes.get(owner);
            Integer byName = m.byName(p.nodeName());
            if (byName != null) {
                // By name first: a layer's output also carries the names of no-ops removed after it (Dropout,
                // Identity), which the peer may count with the next layer.
                set.add(byName);
                continue;
            }
            Node n = own.get(p.nodeName());
            if (n != null) {
                for (Value v : n.outputs()) {
                    for (String t : v.names()) {
                        Integer producer = m.producer.get(t);
                        if (producer != null) {
                            set.add(producer);
                        }
                    }
                }
            }
        }
    }

    /** The layers (nodes of {@code opt}, named as the counters name them) traced to model nodes (see the class doc). */
    private static void traceOptimized(GraphProto opt, Model m, List<Layer> layers, List<Set<Integer>> nodes,
                                       Map<String, Integer> index) {
        Map<String, NodeProto> byName = new HashMap<>();
        Set<String> held = new HashSet<>();
        Map<String, List<String>> consumers = new HashMap<>();
        Map<String, String> producers = new HashMap<>();
        for (NodeProto n : opt.getNodeList()) {
            byName.put(n.getName(), n);
            held.addAll(n.getOutputList());
            for (String o : n.getOutputList()) {
                producers.put(o, n.getName());
            }
            for (String in : n.getInputList()) {
                held.add(in);
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n.getName());
            }
        }
        nameUnnamed(opt, m, layers, byName);
        // First the model nodes each layer computes directly (its anchors), then what it absorbed behind them.
        List<Set<Integer>> anchors = new ArrayList<>();
        Set<String> boundary = new HashSet<>(m.given);
        for (String t : held) {
            if (m.producer.containsKey(t)) {
                boundary.add(t);
            }
        }
        for (Layer l : layers) {
            Set<Integer> a = new LinkedHashSet<>();
            NodeProto n = byName.get(l.name());
            if (!isLayout(l)) {
                if (n != null) {
                    for (String o : n.getOutputList()) {
                        Integer p = m.producer.get(o);
                        if (p != null) {
                            a.add(p);
                        }
                    }
                }
                if (a.isEmpty()) {
                    Integer p = m.byName(l.name());
                    if (p != null) {
                        a.add(p);
                    }
                }
            }
            anchors.add(a);
            for (int p : a) {
                boundary.addAll(m.nodes.get(p).getOutputList());
            }
        }
        // Back from the anchors through what the optimized graph no longer holds, up to and including the model op the
        // kernel computes (a Conv kernel absorbs the element-wise ops after its Conv, not the layers before it).
        int[] owner = new int[m.nodes.size()];
        java.util.Arrays.fill(owner, -1);
        for (int i = 0; i < layers.size(); i++) {
            String base = layers.get(i).type().replaceFirst("^(Nchwc|Fused)", "");
            Set<Integer> set = nodes.get(i);
            ArrayDeque<Integer> todo = new ArrayDeque<>(anchors.get(i));
            while (!todo.isEmpty()) {
                int p = todo.pop();
                if (!set.add(p)) {
                    continue;
                }
                owner[p] = Math.max(owner[p], i);
                if (m.nodes.get(p).getOpType().equals(base)) {
                    continue;
                }
                for (String in : m.nodes.get(p).getInputList()) {
                    Integer q = m.producer.get(in);
                    if (q != null && !boundary.contains(in)) {
                        todo.push(q);
                    }
                }
            }
        }
        // Model nodes no walk reached (a Sum and Relu fused after a Conv whose node is named after the Conv's output):
        // computed by the last-run layer among those computing their inputs.
        for (int p = 0; p < m.nodes.size(); p++) {
            if (owner[p] >= 0 || m.nodes.get(p).getOutputCount() == 0 || !m.producer.containsKey(
                    m.nodes.get(p).getOutput(0))) {
                continue;
            }
            int best = -1;
            for (String in : m.nodes.get(p).getInputList()) {
                Integer q = m.producer.get(in);
                if (q != null && owner[q] >= 0 && !m.given.contains(in)) {
                    best = Math.max(best, owner[q]);
                }
            }
            if (best >= 0) {
                owner[p] = best;
                nodes.get(best).add(p);
            }
        }
        // Nodes that compute no model tensor: layout reorders (ReorderOutput with the node whose output it converts,
        // the others with the node that consumes their output) and reshapes ORT inserted.
        for (int i = 0; i < layers.size(); i++) {
            if (nodes.get(i).isEmpty()) {
                boolean output = layers.get(i).type().equals("ReorderOutput");
                Set<Integer> found = neighbour(layers.get(i).name(), byName, index, nodes, output ? null : consumers,
                        output ? producers : null);
                if (found.isEmpty()) {
                    found = neighbour(layers.get(i).name(), byName, index, nodes, output ? consumers : null,
                            output ? null : producers);
                }
                nodes.get(i).addAll(found);
            }
        }
    }

    /**
     * Unnamed nodes of the optimized graph (older PyTorch exports name no node): ONNX Runtime's profile calls them
     * {@code <op type>_<node index>}, an index its graph dump does not hold. A node kept from the model has the model
     * node's index, so it is found through the tensor it produces; the nodes ORT made (a FusedConv) are numbered after
     * the model's, in the order ORT made them, which is graph order: they are paired, per op type, with the profile's
     * still unresolved names in index order, when both counts agree. Adds the names found to {@code byName}.
     */
    private static void nameUnnamed(GraphProto opt, Model m, List<Layer> layers, Map<String, NodeProto> byName) {
        Set<String> profiled = new HashSet<>();
        for (Layer l : layers) {
            profiled.add(l.name());
        }
        Map<String, List<NodeProto>> made = new LinkedHashMap<>();
        for (NodeProto n : opt.getNodeList()) {
            if (!n.getName().isEmpty()) {
                continue;
            }
            Integer p = n.getOutputCount() == 0 ? null : m.producer.get(n.getOutput(0));
            String kept = p == null ? null : n.getOpType() + "_" + p;
            if (kept != null && m.nodes.get(p).getOpType().equals(n.getOpType()) && profiled.contains(kept)) {
                byName.putIfAbsent(kept, n);
            } else {
                made.computeIfAbsent(n.getOpType(), k -> new ArrayList<>()).add(n);
            }
        }
        Map<String, TreeSet<Long>> unresolved = new HashMap<>();
        Map<String, String> byIndex = new HashMap<>();
        for (Layer l : layers) {
            Matcher x = INDEXED.matcher(l.name());
            if (!byName.containsKey(l.name()) && x.matches() && made.containsKey(x.group(1))) {
                long index = Long.parseLong(x.group(2));
                unresolved.computeIfAbsent(x.group(1), k -> new TreeSet<>()).add(index);
                byIndex.put(x.group(1) + "_" + index, l.name());
            }
        }
        unresolved.forEach((type, indexes) -> {
            List<NodeProto> nodes = made.get(type);
            if (nodes.size() == indexes.size()) {
                int i = 0;
                for (long index : indexes) {
                    byName.put(byIndex.get(type + "_" + index), nodes.get(i++));
                }
            }
        });
    }

    private static boolean isLayout(Layer l) {
        return l.type().startsWith("Reorder");
    }

    /**
     * The model nodes of the nearest layer with any, searching from node {@code start} of the optimized graph through
     * its consumers (when {@code consumers} is given) or its producers.
     */
    private static Set<Integer> neighbour(String start, Map<String, NodeProto> byName, Map<String, Integer> index,
                                          List<Set<Integer>> nodes, Map<String, List<String>> consumers,
                                          Map<String, String> producers) {
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            NodeProto n = byName.get(todo.poll());
            if (n == null || !seen.add(n.getName())) {
                continue;
            }
            List<String> next = new ArrayList<>();
            if (consumers != null) {
                for (String o : n.getOutputList()) {
                    next.addAll(consumers.getOrDefault(o, List.of()));
                }
            } else {
                for (String in : n.getInputList()) {
                    String p = producers.get(in);
                    if (p != null) {
                        next.add(p);
                    }
                }
            }
            for (String c : next) {
                Integer j = index.get(c);
                if (j != null && !nodes.get(j).isEmpty()) {
                    return nodes.get(j);
                }
                todo.add(c);
            }
        }
        return Set.of();
    }

    /** The output shape of the group's last device layer, as the device's graph has it. */
    private static String shape(Graph graph, List<Layer> layers) {
        if (graph == null) {
            return "";
        }
        Map<String, Node> own = new HashMap<>();
        for (Node n : graph.nodes()) {
            own.put(n.name(), n);
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            Node n = own.get(layers.get(i).name());
            if (n != null && !n.outputs().isEmpty()) {
                return n.output(0).shape().toString();
            }
        }
        return "";
    }

    /** The peer's kernels with the model ops each computes: {@code Conv+Relu(NchwcConv)}, or the kernel alone. */
    private static String peerOps(Model m, List<Layer> peer, List<Integer> component, int deviceCount,
                                  List<Set<Integer>> peerNodes) {
        Set<String> out = new LinkedHashSet<>();
        int k = 0;
        for (int i : component) {
            if (i < deviceCount) {
                continue;
            }
            Layer l = peer.get(k++);
            Set<String> ops = new LinkedHashSet<>();
            for (int n : new TreeSet<>(peerNodes.get(i - deviceCount))) {
                ops.add(m.nodes.get(n).getOpType());
            }
            String model = String.join("+", ops);
            out.add(model.isEmpty() || model.equals(l.type()) ? l.type() : model + "(" + l.type() + ")");
        }
        return String.join(", ", out);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        parent[find(parent, a)] = find(parent, b);
    }
}
