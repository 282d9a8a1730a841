package dev.infero.core.graph;

import dev.infero.core.InferoException;
import dev.infero.core.op.Op;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model as a graph of nodes in topological order. Parameters are the model inputs, Results its outputs.
 * Shapes are inferred as nodes are added, and again after a parameter is reshaped or the graph is rewired.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> parameters = new ArrayList<>();
    private final List<Node> results = new ArrayList<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** All nodes in topological order. */
    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Node> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public List<Node> results() {
        return Collections.unmodifiableList(results);
    }

    /** Free-form model-level information (producer, opset, conversion parameters), kept in order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * An independent copy of this graph: the same nodes, node and tensor names, runtime info and metadata, so passes can rewrite it
     * and leave this one as it is. Ops and constant tensors are shared: they are immutable.
     */
    public Graph copy() {
        Graph g = new Graph(name);
        g.metadata.putAll(metadata);
        Map<Value, Value> copies = new IdentityHashMap<>();
        for (Node n : nodes) {
            List<Value> inputs = new ArrayList<>(n.inputs().size());
            for (Value v : n.inputs()) {
                inputs.add(v == null ? null : copies.get(v));
            }
            Node c = g.add(n.op(), n.name(), inputs);
            c.rtInfo().putAll(n.rtInfo());
            if (parameters.contains(n)) {
                g.parameters.add(c);
            }
            if (results.contains(n)) {
                g.results.add(c);
            }
            for (int i = 0; i < n.outputs().size(); i++) {
                copies.put(n.output(i), c.output(i));
                c.output(i).names().addAll(n.output(i).names());
            }
        }
        return g;
    }

    public Node addParameter(String name, ElementType type, PartialShape shape) {
        Node n = add(new Parameter(type, shape), name);
        parameters.add(n);
        return n;
    }

    public Node addConstant(String name, Tensor value) {
        return add(new Constant(value), name);
    }

    /** Marks {@code value} as a model output called {@code name}. */
    public Node addResult(String name, Value value) {
        Node n = add(new Result(), name, value);
        results.add(n);
        return n;
    }

    /**
     * Adds a node and infers its outputs. Inputs must already be in the graph; {@code null} marks an absent optional
     * input. The name is made unique if taken.
     */
    public Node add(Op op, String name, Value... inputs) {
        return add(op, name, Arrays.asList(inputs));
    }

    public Node add(Op op, String name, List<Value> inputs) {
        Node n = new Node(uniqueName(name), op, inputs);
        n.infer();
        nodes.add(n);
        n.attach();
        return n;
    }

    /** The single output of a newly added node: {@code graph.value(op, "relu1", x)}. */
    public Value value(Op op, String name, Value... inputs) {
        Node n = add(op, name, inputs);
        return n.output(0);
    }

    /** A name not yet used by any node, derived from {@code base}. */
    public String uniqueName(String base) {
        String b = base == null || base.isEmpty() ? "node" : base;
        String candidate = b;
        for (int i = 1; !usedNames.add(candidate); i++) {
            candidate = b + "_" + i;
        }
        return candidate;
    }

    public Node parameter(String name) {
        for (Node p : parameters) {
            if (p.name().equals(name) || p.output(0).names().contains(name)) {
                return p;
            }
        }
        throw new InferoException("model '" + this.name + "' has no input named '" + name + "'");
    }

    /** Replaces a parameter's shape (keeping its type) and re-infers every node's output shapes. */
    public void reshape(Node parameter, PartialShape shape) {
        if (!(parameter.op() instanceof Parameter p)) {
            throw new IllegalArgumentException(parameter + " is not a parameter");
        }
        parameter.setOp(new Parameter(p.elementType(), shape));
        reinfer();
    }

    /** Re-runs shape inference and constant propagation over all nodes in order. */
    private void reinfer() {
        for (Node n : nodes) {
            n.infer();
        }
    }

    /**
     * Makes every consumer of {@code old} (including Results) read {@code replacement} instead, and hands over the
     * tensor names so the model's outputs keep their names. The old producer stays until {@link #removeDeadNodes()}.
     */
    public void replaceAllUses(Value old, Value replacement) {
        if (old == replacement) {
            return;
        }
        List<Node> rewired = new ArrayList<>();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (n.input(i) == old) {
                    n.setInput(i, replacement);
                    rewired.add(n);
                }
            }
        }
        replacement.names().addAll(old.names());
        old.names().clear();
        sortTopologically();
        for (Node n : rewired) {
            reinferFrom(n);
        }
    }

    /**
     * {@link #replaceAllUses(Value, Value)} for several values at once, inferring only after all are rewired: for a
     * rewrite that changes types on both sides of an op (f16 to f32 everywhere), where any one replacement alone would
     * leave the graph inconsistent. A replacement's own producer keeps reading the value it replaces; a model input
     * keeps its tensor names.
     */
    public void replaceAllUses(Map<Value, Value> replacements) {
        List<Node> rewired = new ArrayList<>();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                Value r = n.input(i) == null ? null : replacements.get(n.input(i));
                if (r != null && r.node() != n) {
                    n.setInput(i, r);
                    rewired.add(n);
                }
            }
        }
        for (Map.Entry<Value, Value> e : replacements.entrySet()) {
            if (!(e.getKey().node().op() instanceof Parameter)) {
                e.getValue().names().addAll(e.getKey().names());
                e.getKey().names().clear();
            }
        }
        sortTopologically();
        reinferFrom(rewired);
    }

    /**
     * Inserts {@code op} right after {@code value}: the new node reads {@code value} (then {@code extraInputs}) and
     * every other reader of {@code value} reads the new node's output instead. Tensor names move along, except a
     * model input's, which stays the input's name.
     */
    public Value insertAfter(Value value, Op op, String name, Value... extraInputs) {
        List<Node> readers = consumers(value);
        List<Value> inputs = new ArrayList<>();
        inputs.add(value);
        inputs.addAll(Arrays.asList(extraInputs));
        Node inserted = add(op, name, inputs);
        Value out = inserted.output(0);
        for (Node reader : readers) {
            for (int i = 0; i < reader.inputs().size(); i++) {
                if (reader.input(i) == value) {
                    reader.setInput(i, out);
                }
            }
        }
        if (!(value.node().op() instanceof Parameter)) {
            out.names().addAll(value.names());
            value.names().clear();
        }
        sortTopologically();
        for (Node reader : readers) {
            reinferFrom(reader);
        }
        return out;
    }

    /** Gives {@code node} a new op and new inputs at once, then re-infers it and everything downstream. */
    public void replaceNode(Node node, Op op, List<Value> inputs) {
        node.setOp(op);
        for (int i = 0; i < inputs.size(); i++) {
            node.setInput(i, inputs.get(i));
        }
        sortTopologically();
        reinferFrom(node);
    }

    /** Rewires input {@code i} of {@code node} to {@code value} and re-infers it and everything downstream. */
    public void setInput(Node node, int i, Value value) {
        node.setInput(i, value);
        sortTopologically();
        reinferFrom(node);
    }

    /** Re-runs inference for {@code start} and every node that (transitively) reads its outputs. */
    private void reinferFrom(Node start) {
        reinferFrom(List.of(start));
    }

    /** Re-runs inference for {@code starts} and every node that (transitively) reads their outputs. */
    private void reinferFrom(List<Node> starts) {
        Set<Node> dirty = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        dirty.addAll(starts);
        for (Node n : nodes) {
            if (!dirty.contains(n) && n.inputs().stream().noneMatch(v -> v != null && dirty.contains(v.node()))) {
                continue;
            }
            dirty.add(n);
            n.infer();
        }
    }

    /** Removes nodes that no Result depends on (parameters always stay); returns how many were removed. */
    public int removeDeadNodes() {
        Set<Node> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Node> work = new java.util.ArrayDeque<>(results);
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (live.add(n)) {
                for (Value v : n.inputs()) {
                    if (v != null) {
                        work.push(v.node());
                    }
                }
            }
        }
        live.addAll(parameters);
        int before = nodes.size();
        nodes.removeIf(n -> {
            if (live.contains(n)) {
                return false;
            }
            n.detach();
            return true;
        });
        return before - nodes.size();
    }

    /** Drops every Result and makes {@code outputs} the model outputs instead, each named by its first tensor name. */
    public void replaceResults(List<Value> outputs) {
        results.forEach(Node::detach);
        nodes.removeAll(results);
        results.clear();
        for (Value v : outputs) {
            String name = v.displayName();
            addResult(name, v).output(0).names().add(name);
        }
        removeDeadNodes();
    }

    /** Removes parameters nothing reads (after the graph was cut at new inputs); returns how many. */
    public int removeUnusedParameters() {
        List<Node> unused = parameters.stream().filter(p -> consumers(p.output(0)).isEmpty()).toList();
        unused.forEach(Node::detach);
        parameters.removeAll(unused);
        nodes.removeAll(unused);
        return unused.size();
    }

    /**
     * Makes {@code value} a model input: a new Parameter of its type and shape takes over its consumers, so what
     * computed it is cut off (MO's {@code --input} on an inner tensor).
     */
    public Node cutAt(Value value, String name) {
        Node p = addParameter(name, value.type(), value.shape());
        p.output(0).names().addAll(value.names());
        replaceAllUses(value, p.output(0));
        removeDeadNodes();
        return p;
    }

    /**
     * Consumers of {@code value}: each node reading it, once per input port that reads it; a copy of
     * {@link Value#consumers()}, which the caller may rewire while walking it.
     */
    public List<Node> consumers(Value value) {
        return new ArrayList<>(value.consumers());
    }

    /** Restores topological order after rewiring (stable: keeps the existing order where it is valid). */
    public void sortTopologically() {
        List<Node> sorted = new ArrayList<>(nodes.size());
        Set<Node> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Set<Node> inProgress = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node n : nodes) {
            visit(n, done, inProgress, sorted);
        }
        nodes.clear();
        nodes.addAll(sorted);
    }

    private static void visit(Node n, Set<Node> done, Set<Node> inProgress, List<Node> sorted) {
        if (done.contains(n)) {
            return;
        }
        if (!inProgress.add(n)) {
            throw new InferoException("the graph has a cycle through node '" + n.name() + "'");
        }
        for (Value v : n.inputs()) {
            if (v != null) {
                visit(v.node(), done, inProgress, sorted);
            }
        }
        inProgress.remove(n);
        done.add(n);
        sorted.add(n);
    }

    /** Number of nodes of each type, for summaries. */
    public Map<String, Integer> opHistogram() {
        Map<String, Integer> h = new java.util.TreeMap<>();
        for (Node n : nodes) {
            h.merge(n.type(), 1, Integer::sum);
        }
        return h;
    }

    @Override
    public String toString() {
        return "Graph '" + name + "' (" + nodes.size() + " nodes)";
    }
}
