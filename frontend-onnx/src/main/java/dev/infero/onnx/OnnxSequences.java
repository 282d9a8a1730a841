package dev.infero.onnx;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX sequence and optional operators whose sequences (and optionals' presence) are fixed when the model is imported, as exporters write them around
 * {@code torch.cat}/{@code torch.stack} of Python lists and {@code torch.split}: a sequence is a list of graph values
 * that exists only during import, and the ops that read it become Concat, Unsqueeze, Split and plain value choices.
 * Positions must be constants; sequences built in loops are not supported. An optional is its value (a tensor or a
 * sequence) or, when empty, a name in the set of empty optionals, so OptionalHasElement folds to a constant.
 */
final class OnnxSequences {
    static final Set<String> OPS = Set.of("SequenceConstruct", "SequenceEmpty", "SequenceAt", "SequenceLength",
            "SequenceInsert", "SequenceErase", "ConcatFromSequence", "SplitToSequence", "Optional",
            "OptionalHasElement", "OptionalGetElement");

    private final Map<String, List<Value>> sequences = new HashMap<>();
    private final Set<String> emptyOptionals = new java.util.HashSet<>();

    boolean isSequence(String name) {
        return sequences.containsKey(name);
    }

    /** Translates one sequence op, putting tensor outputs into {@code values} and sequences into its own table. */
    void translate(NodeProto proto, int opset, Graph graph, Map<String, Value> values) {
        List<Value> tensors = new ArrayList<>();
        for (String in : proto.getInputList()) {
            tensors.add(in.isEmpty() || sequences.containsKey(in) ? null : values.get(in));
        }
        OnnxNode n = new OnnxNode(proto, tensors, opset, graph);
        String out = proto.getOutputCount() > 0 ? proto.getOutput(0) : "";
        switch (proto.getOpType()) {
            case "SequenceConstruct" -> {
                List<Value> items = new ArrayList<>();
                for (int i = 0; i < proto.getInputCount(); i++) {
                    items.add(tensor(n, proto, i));
                }
                sequences.put(out, items);
            }
            case "SequenceEmpty" -> sequences.put(out, List.of());
            case "SequenceLength" -> put(values, out, n.constant(Tensor.scalar((long) sequence(n, proto, 0).size())));
            case "SequenceAt" -> {
                List<Value> seq = sequence(n, proto, 0);
                if (!n.hasInput(1)) {
                    // Required by the operator; found by fuzzing (an absent position read past the end).
                    throw n.error("has no position input (SequenceAt requires one)");
                }
                put(values, out, seq.get(position(n, proto, 1, seq.size(), false, 0)));
            }
            case "SequenceInsert" -> {
                List<Value> seq = new ArrayList<>(sequence(n, proto, 0));
                int at = position(n, proto, 2, seq.size(), true, seq.size());
                seq.add(at, tensor(n, proto, 1));
                sequences.put(out, seq);
            }
            case "SequenceErase" -> {
                List<Value> seq = new ArrayList<>(sequence(n, proto, 0));
                seq.remove(position(n, proto, 1, seq.size(), false, seq.size() - 1));
                sequences.put(out, seq);
            }
            case "ConcatFromSequence" -> put(values, out, concat(n, sequence(n, proto, 0)));
            case "SplitToSequence" -> sequences.put(out, split(n, tensor(n, proto, 0)));
            case "Optional" -> {
                String in = proto.getInputCount() > 0 ? proto.getInput(0) : "";
                if (in.isEmpty() || emptyOptionals.contains(in)) {
                    emptyOptionals.add(out);
                } else if (sequences.containsKey(in)) {
                    sequences.put(out, sequences.get(in));
                } else {
                    put(values, out, tensor(n, proto, 0));
                }
            }
            case "OptionalHasElement" -> {
                String in = proto.getInputCount() > 0 ? proto.getInput(0) : "";
                boolean present = !in.isEmpty() && !emptyOptionals.contains(in);
                if (present && !sequences.containsKey(in)) {
                    tensor(n, proto, 0);
                }
                Tensor flag = Tensor.allocate(dev.infero.core.types.ElementType.BOOLEAN);
                flag.setLong(0, present ? 1 : 0);
                put(values, out, n.constant(flag));
            }
            case "OptionalGetElement" -> {
                String in = proto.getInputCount() > 0 ? proto.getInput(0) : "";
                if (in.isEmpty() || emptyOptionals.contains(in)) {
                    throw n.error("reads the element of an empty optional");
                }
                if (sequences.containsKey(in)) {
                    sequences.put(out, sequences.get(in));
                } else {
                    put(values, out, tensor(n, proto, 0));
                }
            }
            default -> throw n.error("is not a sequence operator");
        }
    }

    private static void put(Map<String, Value> values, String name, Value v) {
        if (!name.isEmpty()) {
            v.names().add(name);
            values.put(name, v);
        }
    }

    private List<Value> sequence(OnnxNode n, NodeProto proto, int i) {
        String name = i < proto.getInputCount() ? proto.getInput(i) : "";
        List<Value> seq = sequences.get(name);
        if (seq == null) {
            throw n.error("input " + i + " ('" + name + "') is not a sequence built by SequenceConstruct, "
                    + "SequenceEmpty, SequenceInsert, SequenceErase or SplitToSequence");
        }
        return seq;
    }

    private static Value tensor(OnnxNode n, NodeProto proto, int i) {
        if (n.input(i) == null) {
            throw n.error("input " + i + " ('" + (i < proto.getInputCount() ? proto.getInput(i) : "") + "') is "
                    + "not a tensor produced by an earlier node, input or initializer");
        }
        return n.input(i);
    }

    /**
     * The constant position at input {@code i} (negative counts from the end), or {@code absent} when the input is
     * left out. Insert positions may equal the length.
     */
    private static int position(OnnxNode n, NodeProto proto, int i, int length, boolean insert, int absent) {
        if (!n.hasInput(i)) {
            if (absent < 0) {
                throw n.error("cannot erase from an empty sequence");
            }
            return absent;
        }
        Tensor p = n.input(i).knownValue();
        if (p == null || p.size() != 1) {
            throw n.error("position must be a constant scalar (sequences are resolved at import)");
        }
        long at = p.getLong(0);
        long normalized = at < 0 ? at + length : at;
        if (normalized < 0 || normalized > length || (!insert && normalized == length)) {
            throw n.error("position " + at + " is out of range for a sequence of " + length);
        }
        return (int) normalized;
    }

    private static Value concat(OnnxNode n, List<Value> items) {
        if (items.isEmpty()) {
            throw n.error("concatenates an empty sequence");
        }
        long axis = n.attrInt("axis", Long.MIN_VALUE);
        if (axis == Long.MIN_VALUE) {
            throw n.error("has no axis attribute");
        }
        List<Value> parts = new ArrayList<>(items);
        if (n.attrInt("new_axis", 0) == 1) {
            Value axes = n.constant(Tensor.vector(axis));
            parts.replaceAll(v -> n.add(new Unsqueeze(), v, axes));
        }
        return items.size() == 1 && n.attrInt("new_axis", 0) == 0 ? items.get(0)
                : n.add(new Concat(axis), parts.toArray(Value[]::new));
    }

    /** Pieces of size 1 (dropping the axis unless keepdims), of a scalar length (the last one shorter), or of given lengths. */
    private static List<Value> split(OnnxNode n, Value x) {
        if (!x.shape().hasRank()) {
            throw n.error("needs an input of known rank");
        }
        int rank = x.shape().rank();
        long axisAttr = n.attrInt("axis", 0);
        int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
        if (axis < 0 || axis >= rank) {
            throw n.error("axis " + axisAttr + " is out of range for rank " + rank);
        }
        if (x.shape().isDynamic(axis)) {
            throw n.error("splits along dimension " + axis + ", which is not known at import");
        }
        int dim = x.shape().dim(axis);
        long[] lengths;
        boolean squeeze = false;
        if (!n.hasInput(1)) {
            lengths = new long[dim];
            java.util.Arrays.fill(lengths, 1);
            squeeze = n.attrInt("keepdims", 1) == 0;
        } else {
            Tensor split = n.input(1).knownValue();
            if (split == null) {
                throw n.error("split must be a constant (sequences are resolved at import)");
            }
            if (split.rank() == 0) {
                long chunk = split.getLong(0);
                if (chunk < 1) {
                    throw n.error("split " + chunk + " must be positive");
                }
                int count = (int) ((dim + chunk - 1) / chunk);
                lengths = new long[count];
                for (int i = 0; i < count; i++) {
                    lengths[i] = Math.min(chunk, dim - i * chunk);
                }
            } else {
                lengths = new long[(int) split.size()];
                long sum = 0;
                for (int i = 0; i < lengths.length; i++) {
                    lengths[i] = split.getLong(i);
                    sum += lengths[i];
                }
                if (sum != dim) {
                    throw n.error("split lengths add up to " + sum + ", not the dimension " + dim);
                }
            }
        }
        if (lengths.length == 0) {
            return List.of();
        }
        Node parts = n.addNode(new VariadicSplit(), x, n.constant(Tensor.scalar((long) axis)),
                n.constant(Tensor.vector(lengths)));
        List<Value> items = new ArrayList<>(parts.outputs());
        if (squeeze) {
            Value axes = n.constant(Tensor.vector((long) axis));
            items.replaceAll(v -> n.add(new Squeeze(), v, axes));
        }
        return items;
    }
}
