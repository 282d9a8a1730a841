package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX sequence and optional operators. A sequence whose items are fixed when the model is imported (exporters write
 * them around {@code torch.cat}/{@code torch.stack} of Python lists and {@code torch.split}) is a list of graph values
 * that exists only during import, and the ops that read it become Concat, Unsqueeze, Split and plain value choices.
 * A sequence only known at run time (a graph input or output of sequence type, one carried through Loop iterations,
 * one read or changed at a position known only at run time, a split along a dimension known only at run time) is a
 * packed sequence ({@link PackedSequence}): a data value under the sequence's name and a shapes value under the name
 * with {@link PackedSequence#SHAPES_SUFFIX}, read and changed by the ops of {@code core.ops.sequence}; a fixed
 * sequence is packed where it meets one of those. An optional is its value (a tensor or a sequence) or, when empty, a
 * name in the set of empty optionals, so OptionalHasElement folds to a constant.
 */
final class OnnxSequences {
    static final Set<String> OPS = Set.of("SequenceConstruct", "SequenceEmpty", "SequenceAt", "SequenceLength",
            "SequenceInsert", "SequenceErase", "ConcatFromSequence", "SplitToSequence", "Optional",
            "OptionalHasElement", "OptionalGetElement");

    private final Map<String, List<Value>> sequences = new HashMap<>();
    /** Element types of fixed sequences that may be empty (SequenceEmpty's dtype). */
    private final Map<String, ElementType> emptyTypes = new HashMap<>();
    /** The item rank of packed sequences by name, where known. */
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Set<String> emptyOptionals = new java.util.HashSet<>();

    /** The item rank of a sequence with no items (yet): any item rank fits. */
    static final int EMPTY_RANK = -2;

    /**
     * A sequence known only at run time: its packed data and shapes, and its items' rank (-1: unknown,
     * {@link #EMPTY_RANK}: empty).
     */
    record Packed(Value data, Value shapes, int rank) {
        /** The items' rank for an op attribute: -1 when unknown or empty. */
        int opRank() {
            return Math.max(rank, -1);
        }
    }

    /** Whether {@code name} is a sequence fixed at import. */
    boolean isSequence(String name) {
        return sequences.containsKey(name);
    }

    /** Whether {@code name} is a sequence, fixed or packed, in the scope {@code values}. */
    boolean isSequence(String name, Map<String, Value> values) {
        return !name.isEmpty() && (sequences.containsKey(name) || isPacked(name, values));
    }

    static boolean isPacked(String name, Map<String, Value> values) {
        return !name.isEmpty() && values.get(name + PackedSequence.SHAPES_SUFFIX) != null;
    }

    /** Defines {@code name} as a packed sequence in {@code values}. */
    void definePacked(String name, Packed p, Map<String, Value> values) {
        if (name.isEmpty()) {
            return;
        }
        p.data.names().add(name);
        p.shapes.names().add(name + PackedSequence.SHAPES_SUFFIX);
        values.put(name, p.data);
        values.put(name + PackedSequence.SHAPES_SUFFIX, p.shapes);
        ranks.put(name, p.rank);
    }

    /** Records the item rank of a packed sequence defined by other code (a body parameter). */
    void rank(String name, int rank) {
        ranks.put(name, rank);
    }

    /**
     * Sequence {@code name} as a packed sequence, packing a fixed one with nodes added to {@code graph} (named
     * {@code where}); an error when {@code name} is no sequence.
     */
    Packed packed(String name, Graph graph, Map<String, Value> values, String where) {
        if (isPacked(name, values)) {
            return new Packed(values.get(name), values.get(name + PackedSequence.SHAPES_SUFFIX),
                    ranks.getOrDefault(name, -1));
        }
        List<Value> items = sequences.get(name);
        if (items == null) {
            throw new InferoException(where + ": '" + name + "' is not a sequence");
        }
        if (items.isEmpty()) {
            ElementType type = emptyTypes.getOrDefault(name, ElementType.F32);
            Value data = graph.addConstant(where + "/empty_data", Tensor.allocate(type, 0)).output(0);
            Value shapes = graph.addConstant(where + "/empty_shapes", Tensor.of(new long[0], 0)).output(0);
            return new Packed(data, shapes, EMPTY_RANK);
        }
        Node pack = graph.add(new dev.infero.core.ops.sequence.SequenceConstruct(), where + "/pack",
                inScope(items, values));
        return new Packed(pack.output(0), pack.output(1), commonRank(items));
    }

    /** The items of a fixed sequence as values of the scope {@code values} (captured when defined outside a body). */
    private static List<Value> inScope(List<Value> items, Map<String, Value> values) {
        return values instanceof OnnxControlFlow.Scope scope ? items.stream().map(scope::capture).toList() : items;
    }

    private static int commonRank(List<Value> items) {
        int rank = -2;
        for (Value v : items) {
            int r = v.shape().hasRank() ? v.shape().rank() : -1;
            rank = rank == -2 || rank == r ? r : -1;
        }
        return Math.max(rank, -1);
    }

    /** Makes {@code to} name the same sequence as {@code from} (Identity, optionals, folded If branches). */
    void alias(String from, String to, Map<String, Value> fromValues, Map<String, Value> toValues) {
        if (to.isEmpty()) {
            return;
        }
        if (sequences.containsKey(from)) {
            sequences.put(to, sequences.get(from));
            if (emptyTypes.containsKey(from)) {
                emptyTypes.put(to, emptyTypes.get(from));
            }
        } else {
            definePacked(to, new Packed(fromValues.get(from), fromValues.get(from + PackedSequence.SHAPES_SUFFIX),
                    ranks.getOrDefault(from, -1)), toValues);
        }
    }

    /** Translates one sequence op, putting tensor outputs into {@code values} and sequences into its own table. */
    void translate(NodeProto proto, int opset, Graph graph, Map<String, Value> values) {
        List<Value> tensors = new ArrayList<>();
        for (String in : proto.getInputList()) {
            tensors.add(in.isEmpty() || isSequence(in, values) ? null : values.get(in));
        }
        OnnxNode n = new OnnxNode(proto, tensors, opset, graph);
        String out = proto.getOutputCount() > 0 ? proto.getOutput(0) : "";
        String in0 = proto.getInputCount() > 0 ? proto.getInput(0) : "";
        boolean fixed = sequences.containsKey(in0);
        switch (proto.getOpType()) {
            case "SequenceConstruct" -> {
                List<Value> items = new ArrayList<>();
                for (int i = 0; i < proto.getInputCount(); i++) {
                    items.add(tensor(n, proto, i));
                }
                sequences.put(out, items);
            }
            case "SequenceEmpty" -> {
                sequences.put(out, List.of());
                emptyTypes.put(out, TensorProtos.elementType((int) n.attrInt("dtype", 1), "SequenceEmpty dtype"));
            }
            case "SequenceLength" -> {
                if (fixed) {
                    put(values, out, n.constant(Tensor.scalar((long) sequence(n, proto, 0, values).size())));
                } else {
                    Packed p = packed(n, proto, 0, values);
                    put(values, out, n.add(new dev.infero.core.ops.sequence.SequenceLength(), p.data, p.shapes));
                }
            }
            case "SequenceAt" -> {
                if (!n.hasInput(1)) {
                    // Required by the operator; found by fuzzing (an absent position read past the end).
                    throw n.error("has no position input (SequenceAt requires one)");
                }
                if (fixed && known(n, 1)) {
                    List<Value> seq = sequence(n, proto, 0, values);
                    put(values, out, seq.get(position(n, proto, 1, seq.size(), false, 0)));
                } else {
                    Packed p = packed(n, proto, 0, values);
                    put(values, out, n.add(new dev.infero.core.ops.sequence.SequenceAt(p.opRank()), p.data, p.shapes,
                            tensor(n, proto, 1)));
                }
            }
            case "SequenceInsert" -> {
                Value item = tensor(n, proto, 1);
                if (fixed && (!n.hasInput(2) || known(n, 2))) {
                    List<Value> seq = new ArrayList<>(sequence(n, proto, 0, values));
                    int at = position(n, proto, 2, seq.size(), true, seq.size());
                    seq.add(at, item);
                    sequences.put(out, seq);
                } else {
                    Packed p = packed(n, proto, 0, values);
                    Node node = n.hasInput(2)
                            ? n.addNode(new dev.infero.core.ops.sequence.SequenceInsert(), p.data, p.shapes, item,
                                    tensor(n, proto, 2))
                            : n.addNode(new dev.infero.core.ops.sequence.SequenceInsert(), p.data, p.shapes, item);
                    int r = item.shape().hasRank() ? item.shape().rank() : -1;
                    definePacked(out, new Packed(node.output(0), node.output(1),
                            p.rank == EMPTY_RANK || p.rank == r ? r : -1), values);
                }
            }
            case "SequenceErase" -> {
                if (fixed && (!n.hasInput(1) || known(n, 1))) {
                    List<Value> seq = new ArrayList<>(sequence(n, proto, 0, values));
                    seq.remove(position(n, proto, 1, seq.size(), false, seq.size() - 1));
                    sequences.put(out, seq);
                } else {
                    Packed p = packed(n, proto, 0, values);
                    Node node = n.hasInput(1)
                            ? n.addNode(new dev.infero.core.ops.sequence.SequenceErase(), p.data, p.shapes,
                                    tensor(n, proto, 1))
                            : n.addNode(new dev.infero.core.ops.sequence.SequenceErase(), p.data, p.shapes);
                    definePacked(out, new Packed(node.output(0), node.output(1), p.rank), values);
                }
            }
            case "ConcatFromSequence" -> {
                if (fixed) {
                    put(values, out, concat(n, sequence(n, proto, 0, values)));
                } else {
                    long axis = n.attrInt("axis", Long.MIN_VALUE);
                    if (axis == Long.MIN_VALUE) {
                        throw n.error("has no axis attribute");
                    }
                    Packed p = packed(n, proto, 0, values);
                    put(values, out, n.add(new dev.infero.core.ops.sequence.ConcatFromSequence(axis,
                            n.attrInt("new_axis", 0) == 1, p.opRank()), p.data, p.shapes));
                }
            }
            case "SplitToSequence" -> {
                Value x = tensor(n, proto, 0);
                if (splitsAtImport(n, x)) {
                    sequences.put(out, split(n, x));
                } else {
                    var op = new dev.infero.core.ops.sequence.SplitToSequence(n.attrInt("axis", 0),
                            n.attrInt("keepdims", 1) != 0);
                    Node node = n.hasInput(1) ? n.addNode(op, x, tensor(n, proto, 1)) : n.addNode(op, x);
                    int r = x.shape().hasRank() ? x.shape().rank() : -1;
                    boolean squeeze = !n.hasInput(1) && n.attrInt("keepdims", 1) == 0;
                    definePacked(out, new Packed(node.output(0), node.output(1), r < 0 || !squeeze ? r : r - 1),
                            values);
                }
            }
            case "Identity" -> alias(in0, out, values, values);
            case "Optional" -> {
                String in = in0;
                if (in.isEmpty() || emptyOptionals.contains(in)) {
                    emptyOptionals.add(out);
                } else if (isSequence(in, values)) {
                    alias(in, out, values, values);
                } else {
                    put(values, out, tensor(n, proto, 0));
                }
            }
            case "OptionalHasElement" -> {
                String in = in0;
                boolean present = !in.isEmpty() && !emptyOptionals.contains(in);
                if (present && !isSequence(in, values)) {
                    tensor(n, proto, 0);
                }
                put(values, out, n.constant(Tensor.scalar(present)));
            }
            case "OptionalGetElement" -> {
                String in = in0;
                if (in.isEmpty() || emptyOptionals.contains(in)) {
                    throw n.error("reads the element of an empty optional");
                }
                if (isSequence(in, values)) {
                    alias(in, out, values, values);
                } else {
                    put(values, out, tensor(n, proto, 0));
                }
            }
            default -> throw n.error("is not a sequence operator");
        }
    }

    private Packed packed(OnnxNode n, NodeProto proto, int i, Map<String, Value> values) {
        String name = i < proto.getInputCount() ? proto.getInput(i) : "";
        if (!isSequence(name, values)) {
            throw n.error("input " + i + " ('" + name + "') is not a sequence");
        }
        return packed(name, n.graph(), values, n.name());
    }

    private static boolean known(OnnxNode n, int i) {
        return n.input(i) != null && n.input(i).knownValue() != null;
    }

    /** Whether SplitToSequence can split at import: known rank and dimension, constant split lengths. */
    private static boolean splitsAtImport(OnnxNode n, Value x) {
        if (!x.shape().hasRank()) {
            return false;
        }
        int rank = x.shape().rank();
        long axisAttr = n.attrInt("axis", 0);
        long axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
        return axis >= 0 && axis < rank && !x.shape().isDynamic((int) axis) && (!n.hasInput(1) || known(n, 1));
    }

    private static void put(Map<String, Value> values, String name, Value v) {
        if (!name.isEmpty()) {
            v.names().add(name);
            values.put(name, v);
        }
    }

    private List<Value> sequence(OnnxNode n, NodeProto proto, int i, Map<String, Value> values) {
        String name = i < proto.getInputCount() ? proto.getInput(i) : "";
        List<Value> seq = sequences.get(name);
        if (seq == null) {
            throw n.error("input " + i + " ('" + name + "') is not a sequence");
        }
        return inScope(seq, values);
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
