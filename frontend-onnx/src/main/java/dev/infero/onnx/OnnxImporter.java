package dev.infero.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import dev.infero.onnx.proto.Onnx.TensorShapeProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads an ONNX model into an Infero {@link Graph}: initializers become constants, graph inputs become parameters
 * (symbolic dimensions stay dynamic), and every node is translated by its {@link OnnxTranslator}. Shapes are inferred
 * while the graph is built.
 */
public final class OnnxImporter {
    /** The default ONNX domain, spelled both ways producers write it. */
    /**
     * The newest ONNX opset whose operator definitions Infero's translators follow (that of the ONNX release its
     * conformance suite comes from: onnx/onnx @ 6be0677f, whose last released opset 27 adds CausalConvWithState and
     * LinearAttention and gives Range f16/bf16 with a {@code stash_type}, and whose opset 28, in development there,
     * gives Celu f16/bf16/f64 and adds SwiGLU; all translated and in the suite). A model importing a newer one is read
     * as this opset, with a warning.
     */
    public static final int NEWEST_OPSET = 28;
    private static final System.Logger LOG = System.getLogger(OnnxImporter.class.getName());
    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");
    /** Protobuf's default nesting limit (100) is too low for deep graphs nested in attributes. */
    private static final int RECURSION_LIMIT = 1000;

    private OnnxImporter() {
    }

    public static Graph read(Path file) {
        ModelProto model = parse(file);
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        return importModel(model, dir, name);
    }

    public static ModelProto parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString(), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new InferoException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ModelProto parse(InputStream in, String source, long size) throws IOException {
        if (size == 0) {
            throw new InvalidModelException(source + " is empty, not an ONNX model");
        }
        try {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setRecursionLimit(RECURSION_LIMIT);
            cis.setSizeLimit(Integer.MAX_VALUE);
            ModelProto model = ModelProto.parseFrom(cis);
            if (!model.hasGraph()) {
                throw new InvalidModelException(source + " is not an ONNX model: it holds no graph");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException(source + " is not a valid ONNX model (corrupt or truncated protobuf: "
                    + e.getMessage() + ")");
        }
    }

    /** Imports an already parsed model; {@code modelDir} resolves external data (may be {@code null}). */
    public static Graph importModel(ModelProto model, Path modelDir, String name) {
        GraphProto g = model.getGraph();
        int opset = defaultOpset(model);
        if (opset > NEWEST_OPSET) {
            LOG.log(System.Logger.Level.WARNING, "model '" + name + "' imports ONNX opset " + opset + ", newer than "
                    + "opset " + NEWEST_OPSET + ", the newest Infero knows; its operators are read as opset "
                    + NEWEST_OPSET + " defines them");
        }
        List<OnnxFunctions.ScopedNode> nodes = OnnxFunctions.expand(model, opset);
        checkSupported(g, nodes);

        Graph graph = new Graph(name);
        graph.metadata().put("framework", "onnx");
        graph.metadata().put("opset", Integer.toString(opset));
        if (!model.getProducerName().isEmpty()) {
            graph.metadata().put("producer", (model.getProducerName() + " " + model.getProducerVersion()).trim());
        }
        Map<String, Value> values = new HashMap<>();
        Set<String> initializerNames = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            Value v = graph.addConstant(t.getName(), TensorProtos.toTensor(t, modelDir)).output(0);
            v.names().add(t.getName());
            values.put(t.getName(), v);
            initializerNames.add(t.getName());
        }
        OnnxSequences sequences = new OnnxSequences();
        for (ValueInfoProto in : g.getInputList()) {
            if (initializerNames.contains(in.getName())) {
                continue; // an initializer with a default value; Infero treats it as a constant
            }
            TypeProto.Tensor items = sequenceItemType(in.getType());
            if (items != null) {
                // A sequence input is two parameters, its packed data and its item shapes.
                ElementType type = TensorProtos.elementType(items.getElemType(), "input '" + in.getName() + "'");
                Value data = graph.addParameter(in.getName(), type, PartialShape.dynamic(1)).output(0);
                String shapesName = in.getName() + PackedSequence.SHAPES_SUFFIX;
                Value shapes = graph.addParameter(shapesName, ElementType.I64, PartialShape.dynamic(1)).output(0);
                sequences.definePacked(in.getName(), new OnnxSequences.Packed(data, shapes,
                        items.hasShape() ? items.getShape().getDimCount() : -1), values);
                continue;
            }
            TypeProto.Tensor tt = tensorType(in.getType());
            ElementType type = TensorProtos.elementType(tt.getElemType(), "input '" + in.getName() + "'");
            Value v = graph.addParameter(in.getName(), type, shapeOf(tt, in.getName())).output(0);
            v.names().add(in.getName());
            values.put(in.getName(), v);
        }
        translateNodes(nodes, graph, values, sequences, modelDir);
        for (ValueInfoProto out : g.getOutputList()) {
            if (sequences.isSequence(out.getName(), values)) {
                // A sequence output is two results, its packed data and its item shapes.
                OnnxSequences.Packed p = sequences.packed(out.getName(), graph, values, out.getName());
                graph.addResult(out.getName(), p.data()).output(0).names().add(out.getName());
                String shapesName = out.getName() + PackedSequence.SHAPES_SUFFIX;
                graph.addResult(shapesName, p.shapes()).output(0).names().add(shapesName);
                continue;
            }
            Value v = values.get(out.getName());
            if (v == null) {
                throw new InvalidModelException("graph output '" + out.getName() + "' is not produced by any node");
            }
            graph.addResult(out.getName(), v).output(0).names().add(out.getName());
        }
        return graph;
    }

    private static void translateNodes(List<OnnxFunctions.ScopedNode> nodes, Graph graph, Map<String, Value> values,
                                       OnnxSequences sequences, Path modelDir) {
        for (OnnxFunctions.ScopedNode node : nodes) {
            boolean standard = DEFAULT_DOMAINS.contains(node.node().getDomain());
            boolean identityOfSequence = standard && node.node().getOpType().equals("Identity")
                    && node.node().getInputCount() == 1 && sequences.isSequence(node.node().getInput(0), values);
            if (standard && (OnnxSequences.OPS.contains(node.node().getOpType()) || identityOfSequence)) {
                sequences.translate(node.node(), node.opset(), graph, values);
            } else if (standard && node.node().getOpType().equals("If")) {
                foldIf(node, graph, values, sequences, modelDir);
            } else if (isFlexAttention(node.node())) {
                NodeProto n = node.node();
                Value y = OnnxFlexAttention.translate(n, OnnxFlexAttention.inputs(n, values), graph,
                        (g, input, name) -> inline(g, input, node.opset(), graph, values, sequences, modelDir, name));
                bind(n, List.of(y), values);
            } else if (standard && node.node().getOpType().equals("SequenceMap")) {
                translateNodes(OnnxSequenceMap.expand(node, in -> sequences.isSequence(in, values)), graph, values,
                        sequences, modelDir);
            } else if (standard && node.node().getOpType().equals("Loop")) {
                OnnxControlFlow flow = new OnnxControlFlow((ns, g, v) -> translateNodes(ns, g, v, sequences, modelDir),
                        modelDir, sequences);
                flow.loop(node.node(), node.opset(), graph, values);
            } else if (standard && node.node().getOpType().equals("Scan")) {
                OnnxControlFlow flow = new OnnxControlFlow((ns, g, v) -> translateNodes(ns, g, v, sequences, modelDir),
                        modelDir, sequences);
                bind(node.node(), flow.scan(node.node(), node.opset(), graph, values), values);
            } else {
                translate(node.node(), node.opset(), graph, values, sequences);
            }
        }
    }

    /**
     * An If whose condition is known at import (shape checks and constant flags, as exporters and expanded functions
     * write them) becomes the branch it takes: that subgraph's nodes are translated in place, seeing the outer values.
     */
    private static void foldIf(OnnxFunctions.ScopedNode scoped, Graph graph, Map<String, Value> values,
                               OnnxSequences sequences, Path modelDir) {
        NodeProto node = scoped.node();
        String name = node.getName().isEmpty() && node.getOutputCount() > 0 ? node.getOutput(0) : node.getName();
        Value cond = node.getInputCount() > 0 ? values.get(node.getInput(0)) : null;
        if (cond == null) {
            throw new InvalidModelException("ONNX node '" + name + "' (If) reads condition '"
                    + (node.getInputCount() > 0 ? node.getInput(0) : "") + "', which no earlier node produces");
        }
        Tensor known = cond.knownValue();
        if (known == null || known.size() != 1) {
            OnnxControlFlow flow = new OnnxControlFlow((ns, g, v) -> translateNodes(ns, g, v, sequences, modelDir),
                    modelDir, sequences);
            flow.runtimeIf(node, scoped.opset(), graph, values, cond);
            return;
        }
        String branchName = known.getDouble(0) != 0 ? "then_branch" : "else_branch";
        GraphProto branch = null;
        for (var a : node.getAttributeList()) {
            if (a.getName().equals(branchName)) {
                branch = a.getG();
            }
        }
        if (branch == null) {
            throw new InvalidModelException("ONNX node '" + name + "' (If) has no " + branchName);
        }
        if (branch.getOutputCount() < node.getOutputCount()) {
            throw new InvalidModelException("ONNX node '" + name + "' (If): " + branchName + " has " + branch.getOutputCount()
                    + " outputs, the node " + node.getOutputCount());
        }
        Map<String, Value> inner = OnnxControlFlow.inPlace(values);
        for (TensorProto t : branch.getInitializerList()) {
            Value v = graph.addConstant(name + "/" + t.getName(), TensorProtos.toTensor(t, modelDir)).output(0);
            inner.put(t.getName(), v);
        }
        List<OnnxFunctions.ScopedNode> body = new ArrayList<>();
        for (NodeProto n : branch.getNodeList()) {
            body.add(new OnnxFunctions.ScopedNode(n, scoped.opset()));
        }
        translateNodes(body, graph, inner, sequences, modelDir);
        for (int i = 0; i < node.getOutputCount(); i++) {
            String out = node.getOutput(i);
            if (sequences.isSequence(branch.getOutput(i).getName(), inner)) {
                sequences.alias(branch.getOutput(i).getName(), out, inner, values);
                continue;
            }
            Value v = inner.get(branch.getOutput(i).getName());
            if (v == null) {
                throw new InvalidModelException("ONNX node '" + name + "' (If): " + branchName + " output '"
                        + branch.getOutput(i).getName() + "' is not produced by any of its nodes");
            }
            if (!out.isEmpty()) {
                v.names().add(out);
                values.put(out, v);
            }
        }
    }

    private static boolean isFlexAttention(NodeProto n) {
        return n.getDomain().equals("ai.onnx.preview") && n.getOpType().equals("FlexAttention");
    }

    /**
     * Translates a one-input, one-output subgraph attribute in place (its names in their own scope, seeing the outer
     * ones) with its input bound to {@code input}; returns its output.
     */
    private static Value inline(GraphProto g, Value input, int opset, Graph graph, Map<String, Value> values,
                                OnnxSequences sequences, Path modelDir, String name) {
        if (g.getInputCount() != 1 || g.getOutputCount() != 1) {
            throw new InvalidModelException(name + ": the subgraph has " + g.getInputCount() + " inputs and "
                    + g.getOutputCount() + " outputs, not one of each");
        }
        Map<String, Value> inner = OnnxControlFlow.inPlace(values);
        inner.put(g.getInput(0).getName(), input);
        for (TensorProto t : g.getInitializerList()) {
            inner.put(t.getName(), graph.addConstant(name + "/" + t.getName(), TensorProtos.toTensor(t, modelDir))
                    .output(0));
        }
        List<OnnxFunctions.ScopedNode> body = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            body.add(new OnnxFunctions.ScopedNode(n, opset));
        }
        checkSupported(g, body, true);
        translateNodes(body, graph, inner, sequences, modelDir);
        Value out = inner.get(g.getOutput(0).getName());
        if (out == null) {
            throw new InvalidModelException(name + ": subgraph output '" + g.getOutput(0).getName()
                    + "' is not produced by any of its nodes");
        }
        return out;
    }

    /** Names a control-flow node's outputs as the ONNX node does. */
    private static void bind(NodeProto node, List<Value> outs, Map<String, Value> values) {
        for (int i = 0; i < node.getOutputCount(); i++) {
            String out = node.getOutput(i);
            if (out.isEmpty()) {
                continue;
            }
            if (i >= outs.size()) {
                throw new InferoException("ONNX node '" + node.getName() + "' (" + node.getOpType() + "): output " + i
                        + " ('" + out + "') has no value");
            }
            outs.get(i).names().add(out);
            values.put(out, outs.get(i));
        }
    }

    private static void translate(NodeProto node, int opset, Graph graph, Map<String, Value> values,
                                  OnnxSequences sequences) {
        List<Value> inputs = new ArrayList<>();
        for (String in : node.getInputList()) {
            if (in.isEmpty()) {
                inputs.add(null);
                continue;
            }
            Value v = values.get(in);
            if (sequences.isSequence(in, values)) {
                throw new InvalidModelException("ONNX node '" + node.getName() + "' (" + node.getOpType() + ") reads the "
                        + "sequence '" + in + "'; only sequence operators can");
            }
            if (v == null) {
                throw new InvalidModelException("ONNX node '" + node.getName() + "' (" + node.getOpType() + ") reads '" + in
                        + "', which no earlier node, input or initializer produces");
            }
            inputs.add(v);
        }
        OnnxNode onnxNode = new OnnxNode(node, inputs, opset, graph);
        List<Value> outs;
        try {
            outs = OnnxOpRegistry.translator(node.getDomain(), node.getOpType()).translate(onnxNode);
        } catch (UnsupportedModelException e) {
            throw e;
        } catch (ResourceLimitException e) {
            // Core names the Infero node (often a decomposition); the ONNX node is what the user knows.
            throw new ResourceLimitException("ONNX node '" + node.getName() + "' (" + node.getOpType() + "): "
                    + e.getMessage().replaceFirst("^node '[^']*' \\([^)]*\\)(?: output \\d+)?: ", ""), e);
        } catch (InferoException e) {
            String m = e.getMessage();
            // Core errors name the Infero node; the ONNX node's name and type are what the user knows.
            throw m.startsWith("ONNX node '") ? e : onnxNode.error(m.replaceFirst("^node '[^']*' \\([^)]*\\): ", ""));
        } catch (RuntimeException e) {
            throw onnxNode.error("cannot translate: " + e);
        }
        for (int i = 0; i < node.getOutputCount(); i++) {
            String outName = node.getOutput(i);
            if (outName.isEmpty()) {
                continue;
            }
            if (i >= outs.size()) {
                throw onnxNode.error("output " + i + " ('" + outName + "') is not supported by Infero's translation");
            }
            if (values.containsKey(outName)) {
                // SSA: ONNX allows one producer per name; a later one would silently replace the first.
                throw onnxNode.error("output '" + outName + "' is already produced by an earlier node, input or "
                        + "initializer (ONNX names must be assigned once)");
            }
            outs.get(i).names().add(outName);
            values.put(outName, outs.get(i));
        }
    }

    private static int defaultOpset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (DEFAULT_DOMAINS.contains(o.getDomain())) {
                return (int) o.getVersion();
            }
        }
        return 1;
    }

    /**
     * Fails with every unsupported operator (grouped by type, with all node names) and every unsupported input or
     * output type at once, so a user sees the whole list in one go.
     */
    private static void checkSupported(GraphProto g, List<OnnxFunctions.ScopedNode> expanded) {
        checkSupported(g, expanded, false);
    }

    /** {@code body}: a subgraph, whose inputs and outputs may leave their types to the enclosing node. */
    static void checkSupported(GraphProto g, List<OnnxFunctions.ScopedNode> expanded, boolean body) {
        Map<String, List<String>> unsupportedOps = new TreeMap<>();
        Set<String> problems = new LinkedHashSet<>();
        for (OnnxFunctions.ScopedNode scoped : expanded) {
            NodeProto n = scoped.node();
            String nodeName = n.getName().isEmpty() && n.getOutputCount() > 0 ? n.getOutput(0) : n.getName();
            boolean folded = DEFAULT_DOMAINS.contains(n.getDomain())
                    && (n.getOpType().equals("If") || n.getOpType().equals("Loop") || n.getOpType().equals("Scan")
                    || n.getOpType().equals("SequenceMap")) || isFlexAttention(n);
            boolean known = OnnxOpRegistry.translator(n.getDomain(), n.getOpType()) != null || folded
                    || (DEFAULT_DOMAINS.contains(n.getDomain()) && OnnxSequences.OPS.contains(n.getOpType()));
            if (!known) {
                String op = n.getDomain().isEmpty() ? n.getOpType() : n.getDomain() + "." + n.getOpType();
                unsupportedOps.computeIfAbsent(op, k -> new ArrayList<>()).add("'" + nodeName + "'");
            }
            for (var a : n.getAttributeList()) {
                if ((a.hasG() || a.getGraphsCount() > 0) && !folded) {
                    problems.add("subgraph attribute '" + a.getName() + "' of " + n.getOpType() + " node '"
                            + nodeName + "'");
                }
            }
        }
        for (ValueInfoProto v : concat(g.getInputList(), g.getOutputList())) {
            String kind = g.getInputList().contains(v) ? "input" : "output";
            if (body && v.getType().getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
                continue;
            }
            if (tensorType(v.getType()) == null && sequenceItemType(v.getType()) == null) {
                problems.add("non-tensor " + kind + " '" + v.getName() + "' (" + v.getType().getValueCase() + ")");
            } else if ((tensorType(v.getType()) != null ? tensorType(v.getType())
                    : sequenceItemType(v.getType())).getElemType() == TensorProto.DataType.STRING_VALUE) {
                problems.add("string " + kind + " '" + v.getName() + "'");
            }
        }
        List<String> all = new ArrayList<>();
        unsupportedOps.forEach((op, nodes) -> all.add(op + " (" + (nodes.size() == 1 ? "node " : nodes.size()
                + " nodes: ") + String.join(", ", nodes) + ")"));
        all.addAll(problems);
        if (!all.isEmpty()) {
            String what = unsupportedOps.isEmpty() ? "" : "unsupported operator" + (unsupportedOps.size() == 1 ? "" : "s")
                    + " " + String.join(", ", unsupportedOps.keySet()) + "; ";
            throw new UnsupportedModelException("the model cannot be imported: " + what + "details: "
                    + String.join("; ", all), all);
        }
    }

    /**
     * The tensor type of a graph input or output, also inside an optional: Infero's inputs and outputs are tensors,
     * so an optional tensor input is always present (an empty optional cannot be fed); {@code null} otherwise.
     */
    public static TypeProto.Tensor tensorType(TypeProto type) {
        if (type.hasTensorType()) {
            return type.getTensorType();
        }
        if (type.hasOptionalType() && type.getOptionalType().getElemType().hasTensorType()) {
            return type.getOptionalType().getElemType().getTensorType();
        }
        return null;
    }

    /**
     * The item tensor type of a sequence-typed graph input or output (also inside an optional, which Infero treats as
     * present), or {@code null} when the type is no sequence of tensors.
     */
    public static TypeProto.Tensor sequenceItemType(TypeProto type) {
        if (type.hasOptionalType()) {
            type = type.getOptionalType().getElemType();
        }
        if (type.hasSequenceType() && type.getSequenceType().getElemType().hasTensorType()) {
            return type.getSequenceType().getElemType().getTensorType();
        }
        return null;
    }

    private static List<ValueInfoProto> concat(List<ValueInfoProto> a, List<ValueInfoProto> b) {
        List<ValueInfoProto> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static PartialShape shapeOf(TypeProto.Tensor tt, String name) {
        if (!tt.hasShape()) {
            return PartialShape.unknownRank();
        }
        int[] dims = new int[tt.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = tt.getShape().getDim(i);
            if (d.hasDimValue()) {
                long v = d.getDimValue();
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new InvalidModelException("input '" + name + "' has invalid dimension " + v);
                }
                dims[i] = (int) v;
            } else {
                dims[i] = PartialShape.DYNAMIC;
            }
        }
        return PartialShape.of(dims);
    }
}
