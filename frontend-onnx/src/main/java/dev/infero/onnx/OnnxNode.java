package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
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
    /** The opset whose operator semantics {@link #call} decompositions are written against. */
    public static final int DECOMPOSITION_OPSET = 21;

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

    /**
     * A string attribute that names one of a fixed set of choices, read as what {@code choices} maps it to
     * ({@code defaultValue}'s when absent). Any other value is one error for every attribute of this kind:
     * {@code <name> must be <the choices, sorted>, got '<value>'}.
     */
    public <T> T attrChoice(String name, String defaultValue, Map<String, T> choices) {
        String value = attrString(name, defaultValue);
        T chosen = choices.get(value);
        if (chosen == null) {
            List<String> names = choices.keySet().stream().sorted().toList();
            String listed = names.size() == 1 ? names.get(0)
                    : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
            throw error(name + " must be " + listed + ", got '" + value + "'");
        }
        return chosen;
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

    /**
     * Translates the default-domain ONNX operator {@code opType} on {@code inputs} ({@code null}: an absent input) as
     * part of this node, with the semantics of opset {@link #DECOMPOSITION_OPSET} whatever the model imports: how
     * contrib operators are decomposed into standard ones.
     */
    public List<Value> call(String opType, List<Value> inputs, List<AttributeProto> attributes) {
        OnnxTranslator translator = OnnxOpRegistry.translator(opType);
        if (translator == null) {
            throw error("decomposes into " + opType + ", which Infero does not translate");
        }
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(name() + "/" + opType)
                .addOutput(name() + "/" + opType + ":0").addAllAttribute(attributes);
        for (int i = 0; i < inputs.size(); i++) {
            b.addInput(inputs.get(i) == null ? "" : name() + "/" + opType + ":in" + i);
        }
        return translator.translate(new OnnxNode(b.build(), inputs, DECOMPOSITION_OPSET, graph));
    }

    /** {@link #call(String, List, List)} with attributes given as name, value pairs (long, float, String, long[]). */
    public Value call(String opType, List<Value> inputs, Object... nameValuePairs) {
        java.util.ArrayList<AttributeProto> attrs = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < nameValuePairs.length; i += 2) {
            attrs.add(attribute((String) nameValuePairs[i], nameValuePairs[i + 1]));
        }
        return call(opType, inputs, attrs).get(0);
    }

    /** This node's attributes except those named, to pass on to the operator it decomposes into. */
    public List<AttributeProto> attributesExcept(String... names) {
        java.util.Set<String> skip = java.util.Set.of(names);
        return proto.getAttributeList().stream().filter(a -> !skip.contains(a.getName())).toList();
    }

    /** An ONNX attribute of the type of {@code value}: Long/Integer, Float/Double, String, long[] or float[]. */
    public static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
            case Integer i -> a.setType(AttributeProto.AttributeType.INT).setI(i);
            case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            case Double d -> a.setType(AttributeProto.AttributeType.FLOAT).setF(d.floatValue());
            case String str -> a.setType(AttributeProto.AttributeType.STRING)
                    .setS(com.google.protobuf.ByteString.copyFromUtf8(str));
            case long[] ints -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long v : ints) {
                    a.addInts(v);
                }
            }
            case float[] floats -> {
                a.setType(AttributeProto.AttributeType.FLOATS);
                for (float v : floats) {
                    a.addFloats(v);
                }
            }
            default -> throw new IllegalArgumentException("attribute '" + name + "' of type " + value.getClass());
        }
        return a.build();
    }

    /** An exception naming this node, ready to throw. */
    public InferoException error(String message) {
        return new InvalidModelException("ONNX node '" + name() + "' (" + opType() + "): " + message);
    }
}
