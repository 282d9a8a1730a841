package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX node as a translator sees it: typed attribute access with defaults, its inputs as graph values, the
 * opset version in force, and helpers that add Infero nodes named after it.
 */
public final class OnnxNode {
    private final NodeProto proto;
    private final List<Value> inputs;
    private final int opset;
    private final Graph graph;
    private final Map<String, AttributeProto> attributes = new HashMap<>();

    OnnxNode(NodeProto proto, List<Value> inputs, int opset, Graph graph) {
        this.proto = proto;
        this.inputs = inputs;
        this.opset = opset;
        this.graph = graph;
        for (AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
    }

    public String opType() {
        return proto.getOpType();
    }

    /** The node's name, or its first output's name when the node is unnamed. */
    public String name() {
        if (!proto.getName().isEmpty()) {
            return proto.getName();
        }
        return proto.getOutputCount() > 0 ? proto.getOutput(0) : proto.getOpType();
    }

    /** The version of the ONNX operator set the model imports for this node's domain. */
    public int opset() {
        return opset;
    }

    public Graph graph() {
        return graph;
    }

    /** Number of inputs as written, including empty (absent) ones. */
    public int inputCount() {
        return inputs.size();
    }

    /** Input {@code i}, or {@code null} when absent (empty name or beyond the written inputs). */
    public Value input(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    public boolean hasInput(int i) {
        return input(i) != null;
    }

    /** Input {@code i}, which must be present. */
    public Value requireInput(int i) {
        Value v = input(i);
        if (v == null) {
            throw error("input " + i + " is required");
        }
        return v;
    }

    public List<Value> inputs() {
        return inputs;
    }

    public int outputCount() {
        return proto.getOutputCount();
    }

    /** Whether output {@code i} is used by the model (named, not empty). */
    public boolean hasOutput(int i) {
        return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty();
    }

    public boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    public long attrInt(String name, long defaultValue) {
        AttributeProto a = attributes.get(name);
        return a == null ? defaultValue : a.getI();
    }

    public float attrFloat(String name, float defaultValue) {
        AttributeProto a = attributes.get(name);
        return a == null ? defaultValue : a.getF();
    }

    public String attrString(String name, String defaultValue) {
        AttributeProto a = attributes.get(name);
        return a == null ? defaultValue : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An ints attribute, or {@code defaultValue} (may be {@code null}) when absent. */
    public long[] attrInts(String name, long[] defaultValue) {
        AttributeProto a = attributes.get(name);
        return a == null ? defaultValue : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public float[] attrFloats(String name, float[] defaultValue) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return defaultValue;
        }
        float[] f = new float[a.getFloatsCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = a.getFloats(i);
        }
        return f;
    }

    public List<String> attrStrings(String name) {
        AttributeProto a = attributes.get(name);
        return a == null ? List.of() : a.getStringsList().stream().map(s -> s.toString(StandardCharsets.UTF_8)).toList();
    }

    /** A tensor attribute (Constant's {@code value}), or {@code null}. */
    public Tensor attrTensor(String name) {
        AttributeProto a = attributes.get(name);
        return a == null || !a.hasT() ? null : TensorProtos.toTensor(a.getT());
    }

    /** The raw attribute proto, for the rare translator that needs its type (Constant's many value forms). */
    public AttributeProto attribute(String name) {
        return attributes.get(name);
    }

    /** Adds a node named after this ONNX node and returns its first output. */
    public Value add(Op op, Value... inputs) {
        return addNode(op, inputs).output(0);
    }

    /** Adds a node named after this ONNX node (for ops with several outputs). */
    public Node addNode(Op op, Value... inputs) {
        return graph.add(op, name(), inputs);
    }

    /** Adds a constant named after this node. */
    public Value constant(Tensor value) {
        return graph.addConstant(name() + "/const", value).output(0);
    }

    /** An exception naming this node, ready to throw. */
    public InferoException error(String message) {
        return new InferoException("ONNX node '" + name() + "' (" + opType() + "): " + message);
    }
}
