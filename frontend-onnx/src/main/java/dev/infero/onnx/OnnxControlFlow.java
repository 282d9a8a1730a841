package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.control.Body;
import dev.infero.core.ops.control.If;
import dev.infero.core.ops.control.Loop;
import dev.infero.core.ops.control.TensorIterator;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX control flow with subgraphs executed at run time: {@code Loop} as OpenVINO's Loop, {@code Scan} as
 * TensorIterator, and {@code If} whose condition is only known at run time as If. An ONNX body may read any value
 * of the scopes around it; such a value becomes a body parameter fed by an extra op input (a constant is copied into
 * the body instead). Scan outputs are stacked, so each becomes an Unsqueeze in the body concatenated over the
 * iterations; Scan's inputs are sliced into parts of one and squeezed (opset 8's batched Scan: the same inside a
 * TensorIterator over the batch).
 */
final class OnnxControlFlow {
    /** Translates a node's subgraph into a body graph; set by the importer. */
    interface NodeTranslator {
        void translate(List<OnnxFunctions.ScopedNode> nodes, Graph graph, Map<String, Value> values);
    }

    private final NodeTranslator translator;
    private final Path modelDir;
    private final OnnxSequences sequences;

    OnnxControlFlow(NodeTranslator translator, Path modelDir, OnnxSequences sequences) {
        this.translator = translator;
        this.modelDir = modelDir;
        this.sequences = sequences;
    }

    /**
     * A name scope of a body: names defined in the body, then those of the enclosing scopes, which are captured
     * the first time they are read.
     */
    static final class Scope extends HashMap<String, Value> {
        private final Map<String, Value> outer;
        private final Graph graph;
        /** Captured outer values, in capture order, with the body parameter each became. */
        final Map<Value, Value> captured = new IdentityHashMap<>();
        final List<Value> capturedOrder = new ArrayList<>();

        Scope(Map<String, Value> outer, Graph graph) {
            this.outer = outer;
            this.graph = graph;
        }

        @Override
        public Value get(Object key) {
            Value v = super.get(key);
            if (v != null || graph == null) {
                return v != null ? v : outer.get(key);
            }
            Value o = outer.get(key);
            if (o == null) {
                return null;
            }
            Value inner;
            if (o.knownValue() != null) {
                inner = graph.addConstant(key + "/outer", o.knownValue()).output(0);
            } else {
                inner = captured.get(o);
                if (inner == null) {
                    inner = graph.addParameter((String) key, o.type(), o.shape()).output(0);
                    captured.put(o, inner);
                    capturedOrder.add(o);
                }
            }
            inner.names().add((String) key);
            super.put((String) key, inner);
            return inner;
        }

        /**
         * {@code v}, a value of this scope's graph or of an enclosing one, as a value of this scope's graph: an outer
         * constant is copied, any other outer value becomes (once) a captured parameter. For values that have no
         * name here, such as the items of a sequence fixed at import.
         */
        Value capture(Value v) {
            if (graph == null) {
                return outer instanceof Scope s ? s.capture(v) : v;
            }
            if (graph.nodes().contains(v.node())) {
                return v;
            }
            Value o = outer instanceof Scope s ? s.capture(v) : v;
            if (o.knownValue() != null) {
                return graph.addConstant(o.node().name() + "/outer", o.knownValue()).output(0);
            }
            Value inner = captured.get(o);
            if (inner == null) {
                inner = graph.addParameter(o.node().name() + "/captured", o.type(), o.shape()).output(0);
                captured.put(o, inner);
                capturedOrder.add(o);
            }
            return inner;
        }
    }

    /** A scope that sees {@code outer} without capturing (a branch translated in place). */
    static Scope inPlace(Map<String, Value> outer) {
        return new Scope(outer, null);
    }

    /**
     * A parameter of a body: ONNX name, type and shape; a sequence is two, its data under its name (with the items'
     * rank, else {@link #NOT_SEQUENCE}) and its shapes under the name with the shapes suffix.
     */
    private record Param(String name, ElementType type, PartialShape shape, int rank) {
        Param(String name, ElementType type, PartialShape shape) {
            this(name, type, shape, NOT_SEQUENCE);
        }
    }

    private static final int NOT_SEQUENCE = Integer.MIN_VALUE;

    /** Inserts nodes between body parameter {@code i} and the ONNX name it defines. */
    private interface Adapt {
        Value apply(Graph body, int i, Value parameter);
    }

    /**
     * A translated body: its graph (parameters declared first, then captured ones), what it captured, and per ONNX
     * output its value, or for a sequence its packed data and shapes (with the item rank in {@code ranks}).
     */
    private record Built(Graph graph, List<Value> captured, List<List<Value>> outs, int[] ranks) {
        /** The tensor value of ONNX output {@code i}; an error for a sequence. */
        Value tensor(int i, String what) {
            if (outs.get(i).size() != 1) {
                throw new InferoException(what + " is a sequence where a tensor is expected");
            }
            return outs.get(i).get(0);
        }
    }

    /**
     * Translates {@code g} into a new graph whose first parameters are {@code params}; {@code adapt} may insert
     * nodes between a parameter and the ONNX name it defines (Scan squeezes its slices).
     */
    private Built build(String name, GraphProto g, int opset, List<Param> params, Map<String, Value> outer,
                        Adapt adapt) {
        Graph body = new Graph(name);
        Scope scope = new Scope(outer, body);
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            Value v = body.addParameter(p.name.isEmpty() ? name + "/in" + i : p.name, p.type, p.shape).output(0);
            if (adapt != null) {
                v = adapt.apply(body, i, v);
            }
            if (!p.name.isEmpty()) {
                v.names().add(p.name);
                scope.put(p.name, v);
                if (p.rank != NOT_SEQUENCE) {
                    sequences.rank(p.name, p.rank);
                }
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            Value v = body.addConstant(t.getName(), TensorProtos.toTensor(t, modelDir)).output(0);
            v.names().add(t.getName());
            scope.put(t.getName(), v);
        }
        List<OnnxFunctions.ScopedNode> nodes = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            nodes.add(new OnnxFunctions.ScopedNode(n, opset));
        }
        OnnxImporter.checkSupported(g, nodes, true);
        translator.translate(nodes, body, scope);
        List<List<Value>> outs = new ArrayList<>();
        int[] ranks = new int[g.getOutputCount()];
        for (int i = 0; i < g.getOutputCount(); i++) {
            String out = g.getOutput(i).getName();
            if (sequences.isSequence(out, scope)) {
                OnnxSequences.Packed p = sequences.packed(out, body, scope, name + "/out" + i);
                outs.add(List.of(p.data(), p.shapes()));
                ranks[i] = p.rank();
                continue;
            }
            Value v = scope.get(out);
            if (v == null) {
                throw new InferoException("body '" + name + "' output '" + out
                        + "' is not produced by any of its nodes");
            }
            outs.add(List.of(v));
        }
        return new Built(body, List.copyOf(scope.capturedOrder), outs, ranks);
    }

    private static GraphProto graphAttribute(NodeProto node, String attr, String nodeName) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(attr) && a.hasG()) {
                return a.getG();
            }
        }
        throw new InferoException("ONNX node '" + nodeName + "' (" + node.getOpType() + ") has no graph attribute '"
                + attr + "'");
    }

    private static long intAttribute(NodeProto node, String attr, long defaultValue) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(attr)) {
                return a.getI();
            }
        }
        return defaultValue;
    }

    private static long[] intsAttribute(NodeProto node, String attr, int count, long defaultValue) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(attr)) {
                if (a.getIntsCount() != count) {
                    throw new InferoException("ONNX node '" + node.getName() + "' (" + node.getOpType() + "): " + attr
                            + " has " + a.getIntsCount() + " values, expected " + count);
                }
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        long[] d = new long[count];
        java.util.Arrays.fill(d, defaultValue);
        return d;
    }

    private static String nameOf(NodeProto node) {
        return node.getName().isEmpty() && node.getOutputCount() > 0 ? node.getOutput(0) : node.getName();
    }

    private static Value input(NodeProto node, int i, Map<String, Value> values) {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) {
            return null;
        }
        Value v = values.get(node.getInput(i));
        if (v == null) {
            throw new InferoException("ONNX node '" + nameOf(node) + "' (" + node.getOpType() + ") reads '"
                    + node.getInput(i) + "', which no earlier node, input or initializer produces");
        }
        return v;
    }

    /**
     * ONNX Loop as Loop-5, binding the node's outputs (final carried values, then stacked scan outputs) in
     * {@code values}. A carried sequence is two carried values, its packed data and shapes.
     */
    void loop(NodeProto node, int opset, Graph graph, Map<String, Value> values) {
        String name = nameOf(node);
        GraphProto g = graphAttribute(node, "body", name);
        int carried = node.getInputCount() - 2;
        if (carried < 0 || g.getInputCount() != carried + 2 || g.getOutputCount() < carried + 1) {
            throw new InferoException("ONNX node '" + name + "' (Loop): the body has " + g.getInputCount()
                    + " inputs and " + g.getOutputCount() + " outputs for " + Math.max(carried, 0)
                    + " carried values");
        }
        Value trip = input(node, 0, values);
        Value cond = input(node, 1, values);
        // Carried values as slots: one per tensor, two per sequence (data, shapes).
        List<Value> initial = new ArrayList<>();
        int[] ranks = new int[carried];
        for (int k = 0; k < carried; k++) {
            String in = node.getInput(2 + k);
            if (sequences.isSequence(in, values)) {
                OnnxSequences.Packed p = sequences.packed(in, graph, values, name + "/carried" + k);
                initial.add(p.data());
                initial.add(p.shapes());
                ranks[k] = p.rank();
                continue;
            }
            Value v = input(node, 2 + k, values);
            if (v == null) {
                throw new InferoException("ONNX node '" + name + "' (Loop): carried value " + k + " is absent");
            }
            initial.add(v);
            ranks[k] = NOT_SEQUENCE;
        }
        int slots = initial.size();
        List<PartialShape> shapes = new ArrayList<>(initial.stream().map(Value::shape).toList());
        Built built = null;
        // A carried value may change shape between iterations: build again with the shapes merged until stable.
        for (int attempt = 0; attempt < 3; attempt++) {
            List<Param> params = new ArrayList<>();
            params.add(new Param(g.getInput(0).getName(), ElementType.I64, PartialShape.scalar()));
            params.add(new Param(g.getInput(1).getName(), ElementType.BOOLEAN, PartialShape.scalar()));
            for (int k = 0, slot = 0; k < carried; k++) {
                String in = g.getInput(2 + k).getName();
                params.add(new Param(in, initial.get(slot).type(), shapes.get(slot), ranks[k]));
                if (ranks[k] != NOT_SEQUENCE) {
                    params.add(new Param(in.isEmpty() ? "" : in + PackedSequence.SHAPES_SUFFIX, ElementType.I64,
                            shapes.get(slot + 1)));
                    slot++;
                }
                slot++;
            }
            built = build(name + "/body", g, opset, params, values, null);
            boolean stable = true;
            for (int k = 0, slot = 0; k < carried; k++) {
                List<Value> out = built.outs.get(1 + k);
                if ((ranks[k] != NOT_SEQUENCE) != (out.size() == 2)) {
                    throw new InferoException("ONNX node '" + name + "' (Loop): carried value " + k + " is "
                            + (out.size() == 2 ? "" : "not ") + "a sequence in the body, but "
                            + (ranks[k] != NOT_SEQUENCE ? "" : "not ") + "one outside");
                }
                for (Value v : out) {
                    PartialShape merged = merge(shapes.get(slot), v.shape());
                    stable &= merged.equals(shapes.get(slot));
                    shapes.set(slot++, merged);
                }
                if (ranks[k] != NOT_SEQUENCE) {
                    int r = mergeRank(ranks[k], built.ranks[1 + k]);
                    stable &= r == ranks[k];
                    ranks[k] = r;
                }
            }
            if (stable) {
                break;
            }
        }
        Graph body = built.graph;
        List<Body.Input> inputs = new ArrayList<>();
        List<Body.BackEdge> edges = new ArrayList<>();
        List<Body.Output> outputs = new ArrayList<>();
        inputs.add(Body.Input.whole(1, 1));
        edges.add(new Body.BackEdge(0, 1));
        for (int k = 0; k < slots; k++) {
            inputs.add(Body.Input.whole(2 + k, 2 + k));
            edges.add(new Body.BackEdge(1 + k, 2 + k));
        }
        List<Value> external = new ArrayList<>();
        external.add(trip != null ? trip : graph.addConstant(name + "/trip_count", Tensor.scalar(-1L)).output(0));
        external.add(cond != null ? cond : graph.addConstant(name + "/condition", Tensor.scalar(true)).output(0));
        external.addAll(initial);
        addCaptured(built, external, inputs, 2 + slots);
        body.addResult(name + "/cond_out", built.tensor(0, "the loop condition"));
        int slot = 0;
        for (int k = 0; k < carried; k++) {
            for (Value v : built.outs.get(1 + k)) {
                body.addResult(name + "/carried" + slot, v);
                outputs.add(Body.Output.last(slot, 1 + slot));
                slot++;
            }
        }
        int scans = g.getOutputCount() - 1 - carried;
        for (int j = 0; j < scans; j++) {
            Value part = body.add(new Unsqueeze(), name + "/stack" + j,
                    built.tensor(1 + carried + j, "scan output " + j + " of Loop node '" + name + "'"),
                    body.addConstant(name + "/axis0", Tensor.vector(0)).output(0)).output(0);
            body.addResult(name + "/scan" + j, part);
            outputs.add(Body.Output.concat(slots + j, 1 + slots + j, 0, 1));
        }
        Body b = new Body("body", "port_map", body, inputs, outputs, edges, 0, 0);
        List<Value> outs = graph.add(new Loop(b), name, external).outputs();
        slot = 0;
        for (int k = 0; k < carried; k++) {
            String out = k < node.getOutputCount() ? node.getOutput(k) : "";
            if (ranks[k] != NOT_SEQUENCE) {
                sequences.definePacked(out, new OnnxSequences.Packed(outs.get(slot), outs.get(slot + 1), ranks[k]),
                        values);
                slot += 2;
            } else {
                bind(out, outs.get(slot++), values);
            }
        }
        for (int j = 0; j < scans; j++) {
            bind(carried + j < node.getOutputCount() ? node.getOutput(carried + j) : "", outs.get(slots + j), values);
        }
    }

    private static void bind(String name, Value v, Map<String, Value> values) {
        if (!name.isEmpty()) {
            v.names().add(name);
            values.put(name, v);
        }
    }

    /** The items' rank of a sequence from two sources: {@code EMPTY_RANK} (no items yet) yields to the other. */
    private static int mergeRank(int a, int b) {
        return a == OnnxSequences.EMPTY_RANK ? b : b == OnnxSequences.EMPTY_RANK || a == b ? a : -1;
    }

    /**
     * ONNX Scan as TensorIterator-1. Opset 8's Scan has a batch axis first (and optional sequence_lens, which must be
     * absent): it becomes a TensorIterator over the batch whose body holds the opset-9 form for one batch entry.
     */
    List<Value> scan(NodeProto node, int opset, Graph graph, Map<String, Value> values) {
        String name = nameOf(node);
        GraphProto g = graphAttribute(node, "body", name);
        int m = (int) intAttribute(node, "num_scan_inputs", -1);
        int first = opset < 9 ? 1 : 0;
        int n = node.getInputCount() - first - m;
        if (m <= 0 || n < 0 || g.getInputCount() != n + m) {
            throw new InferoException("ONNX node '" + name + "' (Scan): num_scan_inputs " + m + " does not fit "
                    + node.getInputCount() + " inputs and a body of " + g.getInputCount());
        }
        int k = g.getOutputCount() - n;
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < n + m; i++) {
            Value v = input(node, first + i, values);
            if (v == null) {
                throw new InferoException("ONNX node '" + name + "' (Scan): input " + (first + i) + " is absent");
            }
            ins.add(v);
        }
        if (opset >= 9) {
            return scanOnce(name, g, opset, ins, n, m, intsAttribute(node, "scan_input_axes", m, 0),
                    intsAttribute(node, "scan_input_directions", m, 0), intsAttribute(node, "scan_output_axes", k, 0),
                    intsAttribute(node, "scan_output_directions", k, 0), graph, values);
        }
        if (input(node, 0, values) != null) {
            throw new UnsupportedModelException("ONNX node '" + name + "' (Scan-8) has sequence_lens; Infero runs "
                    + "opset-8 Scan only over full sequences", List.of("Scan-8 sequence_lens (node '" + name + "')"));
        }
        // The outer iterator slices every input along the batch axis; its body scans one entry along axis 0.
        Graph outer = new Graph(name + "/batch");
        Scope scope = new Scope(values, outer);
        List<Value> entries = new ArrayList<>();
        for (int i = 0; i < n + m; i++) {
            Value v = ins.get(i);
            if (!v.shape().hasRank() || v.shape().rank() < (i < n ? 1 : 2)) {
                throw new InferoException("ONNX node '" + name + "' (Scan-8): input " + (first + i)
                        + " needs a batch axis" + (i < n ? "" : " and a sequence axis") + ", got " + v.shape());
            }
            int[] dims = v.shape().dimsOrDynamic();
            dims[0] = 1;
            Value p = outer.addParameter(name + "/entry" + i, v.type(), PartialShape.of(dims)).output(0);
            entries.add(outer.add(new Squeeze(), name + "/entry" + i + "/squeeze", p,
                    outer.addConstant(name + "/batch_axis" + i, Tensor.vector(0)).output(0)).output(0));
        }
        List<Value> inner = scanOnce(name + "/entry", g, opset, entries, n, m, new long[m],
                intsAttribute(node, "directions", m, 0), new long[k], new long[k], outer, scope);
        List<Body.Input> inputs = new ArrayList<>();
        List<Body.Output> outputs = new ArrayList<>();
        List<Value> external = new ArrayList<>(ins);
        for (int i = 0; i < n + m; i++) {
            inputs.add(new Body.Input(i, i, 0L, 0, 1, -1, 1));
        }
        for (int c = 0; c < scope.capturedOrder.size(); c++) {
            external.add(scope.capturedOrder.get(c));
            inputs.add(Body.Input.whole(n + m + c, n + m + c));
        }
        for (int j = 0; j < inner.size(); j++) {
            outer.addResult(name + "/batch_out" + j, outer.add(new Unsqueeze(), name + "/batch_out" + j, inner.get(j),
                    outer.addConstant(name + "/batch_out_axis" + j, Tensor.vector(0)).output(0)).output(0));
            outputs.add(Body.Output.concat(j, j, 0, 1));
        }
        Body b = new Body("body", "port_map", outer, inputs, outputs, List.of(), -1, -1);
        return graph.add(new TensorIterator(b), name, external).outputs();
    }

    /** Scan (opset-9 form) over {@code ins} (n states, then m scan inputs) as a TensorIterator added to graph. */
    private List<Value> scanOnce(String name, GraphProto g, int opset, List<Value> ins, int n, int m, long[] inAxes,
                                 long[] inDirs, long[] outAxes, long[] outDirs, Graph graph,
                                 Map<String, Value> values) {
        int k = g.getOutputCount() - n;
        List<Value> external = new ArrayList<>(ins);
        List<Param> params = new ArrayList<>();
        for (int i = 0; i < n + m; i++) {
            Value v = ins.get(i);
            PartialShape s = v.shape();
            if (i >= n) {
                if (!s.hasRank()) {
                    throw new InferoException("ONNX node '" + name + "' (Scan): scan input " + (i - n)
                            + " needs a known rank");
                }
                int axis = normalize(inAxes[i - n], s.rank(), name, "scan_input_axes");
                inAxes[i - n] = axis;
                int[] dims = s.dimsOrDynamic();
                dims[axis] = 1;
                s = PartialShape.of(dims);
            }
            params.add(new Param(g.getInput(i).getName(), v.type(), s));
        }
        Built built = build(name + "/body", g, opset, params, values, (body, i, v) -> i < n ? v
                : body.add(new Squeeze(), name + "/slice" + (i - n), v,
                        body.addConstant(name + "/slice_axis" + (i - n), Tensor.vector(inAxes[i - n])).output(0))
                        .output(0));
        Graph body = built.graph;
        List<Body.Input> inputs = new ArrayList<>();
        List<Body.BackEdge> edges = new ArrayList<>();
        List<Body.Output> outputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(Body.Input.whole(i, i));
            edges.add(new Body.BackEdge(i, i));
        }
        for (int j = 0; j < m; j++) {
            boolean reverse = inDirs[j] != 0;
            inputs.add(new Body.Input(n + j, n + j, inAxes[j], reverse ? -1 : 0, reverse ? -1 : 1, reverse ? 0 : -1,
                    1));
        }
        addCaptured(built, external, inputs, n + m);
        for (int i = 0; i < n; i++) {
            body.addResult(name + "/state" + i, built.tensor(i, "Scan state " + i));
            outputs.add(Body.Output.last(i, i));
        }
        for (int j = 0; j < k; j++) {
            Value r = built.tensor(n + j, "Scan output " + j);
            if (!r.shape().hasRank()) {
                throw new InferoException("ONNX node '" + name + "' (Scan): scan output " + j + " needs a known rank");
            }
            int axis = normalize(outAxes[j], r.shape().rank() + 1, name, "scan_output_axes");
            Value part = body.add(new Unsqueeze(), name + "/stack" + j, r,
                    body.addConstant(name + "/axis" + j, Tensor.vector(axis)).output(0)).output(0);
            body.addResult(name + "/scan" + j, part);
            outputs.add(Body.Output.concat(n + j, n + j, axis, outDirs[j] != 0 ? -1 : 1));
        }
        Body b = new Body("body", "port_map", body, inputs, outputs, edges, -1, -1);
        return graph.add(new TensorIterator(b), name, external).outputs();
    }

    /**
     * ONNX If whose condition is only known at run time, as If-8, binding the node's outputs in {@code values}; a
     * sequence output is two outputs, its packed data and shapes.
     */
    void runtimeIf(NodeProto node, int opset, Graph graph, Map<String, Value> values, Value cond) {
        String name = nameOf(node);
        Built thenBuilt = build(name + "/then", graphAttribute(node, "then_branch", name), opset, List.of(), values,
                null);
        Built elseBuilt = build(name + "/else", graphAttribute(node, "else_branch", name), opset, List.of(), values,
                null);
        int outs = node.getOutputCount();
        if (thenBuilt.outs.size() < outs || elseBuilt.outs.size() < outs) {
            throw new InferoException("ONNX node '" + name + "' (If): a branch has fewer outputs than the node's "
                    + outs);
        }
        for (int i = 0; i < outs; i++) {
            if (thenBuilt.outs.get(i).size() != elseBuilt.outs.get(i).size()) {
                throw new InferoException("ONNX node '" + name + "' (If): output " + i + " is a sequence in one "
                        + "branch and a tensor in the other");
            }
        }
        List<Value> external = new ArrayList<>();
        external.add(cond);
        Body thenBody = ifBody("then_body", "then_port_map", thenBuilt, external, outs);
        Body elseBody = ifBody("else_body", "else_port_map", elseBuilt, external, outs);
        List<Value> results = graph.add(new If(thenBody, elseBody), name, external).outputs();
        int slot = 0;
        for (int i = 0; i < outs; i++) {
            if (thenBuilt.outs.get(i).size() == 2) {
                int r = thenBuilt.ranks[i] == elseBuilt.ranks[i] ? thenBuilt.ranks[i]
                        : mergeRank(thenBuilt.ranks[i], elseBuilt.ranks[i]);
                sequences.definePacked(node.getOutput(i), new OnnxSequences.Packed(results.get(slot),
                        results.get(slot + 1), Math.max(r, -1)), values);
                slot += 2;
            } else {
                bind(node.getOutput(i), results.get(slot++), values);
            }
        }
    }

    private static Body ifBody(String tag, String portMap, Built built, List<Value> external, int outs) {
        List<Body.Input> inputs = new ArrayList<>();
        List<Node> params = built.graph.parameters();
        for (int p = 0; p < built.captured.size(); p++) {
            Value outer = built.captured.get(p);
            int at = indexOf(external, outer);
            if (at < 0) {
                external.add(outer);
                at = external.size() - 1;
            }
            inputs.add(Body.Input.whole(at, p));
        }
        List<Body.Output> outputs = new ArrayList<>();
        int slot = 0;
        for (int i = 0; i < outs; i++) {
            for (Value v : built.outs.get(i)) {
                built.graph.addResult(tag + "/out" + slot, v);
                outputs.add(Body.Output.last(slot, slot));
                slot++;
            }
        }
        if (params.size() != built.captured.size()) {
            throw new IllegalStateException("branch parameters are only captured values");
        }
        return new Body(tag, portMap, built.graph, inputs, outputs, List.of(), -1, -1);
    }

    private static int indexOf(List<Value> list, Value v) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == v) {
                return i;
            }
        }
        return -1;
    }

    /** Captured values become op inputs from {@code first} on, feeding the body parameters after the declared ones. */
    private static void addCaptured(Built built, List<Value> external, List<Body.Input> inputs, int first) {
        for (int c = 0; c < built.captured.size(); c++) {
            external.add(built.captured.get(c));
            inputs.add(Body.Input.whole(first + c, first + c));
        }
    }

    private static PartialShape merge(PartialShape a, PartialShape b) {
        if (a.equals(b)) {
            return a;
        }
        if (!a.hasRank() || !b.hasRank() || a.rank() != b.rank()) {
            return PartialShape.unknownRank();
        }
        int[] dims = new int[a.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = !a.isDynamic(i) && !b.isDynamic(i) && a.dim(i) == b.dim(i) ? a.dim(i) : PartialShape.DYNAMIC;
        }
        return PartialShape.of(dims);
    }

    private static int normalize(long axis, int rank, String node, String attr) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new InferoException("ONNX node '" + node + "' (Scan): " + attr + " value " + axis
                    + " is out of range for rank " + rank);
        }
        return (int) a;
    }
}
