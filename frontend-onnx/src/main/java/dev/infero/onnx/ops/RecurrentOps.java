package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.ops.recurrent.GRUSequence;
import dev.infero.core.ops.recurrent.LSTMSequence;
import dev.infero.core.ops.recurrent.RNNSequence;
import dev.infero.core.ops.recurrent.RecurrentSequence;
import dev.infero.core.ops.recurrent.RecurrentSequence.Direction;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RNN, GRU and LSTM as OpenVINO's opset-5 {@code RNNSequence}, {@code GRUSequence} and {@code LSTMSequence}: inputs
 * moved to batch-major order ({@code layout} 0 is time-major), ONNX's LSTM gate order i, o, f, c regrouped as
 * OpenVINO's f, i, c, o (GRU's z, r, h is the same in both), the separate input and recurrent biases summed
 * (GRU with {@code linear_before_reset} keeps the candidate's two apart), and absent initial states and sequence
 * lengths filled with zeros and the full length. CausalConvWithState, the stateful short convolution of recurrent
 * sequence models, is decomposed into a depthwise Conv.
 */
public final class RecurrentOps {
    private RecurrentOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("RNN", n -> translate(n, Cell.RNN));
        r.put("GRU", n -> translate(n, Cell.GRU));
        r.put("LSTM", n -> translate(n, Cell.LSTM));
        r.put("CausalConvWithState", RecurrentOps::causalConv);
    }

    /**
     * CausalConvWithState-27 (the short convolution of Mamba and Gated DeltaNet), decomposed: the past state (or
     * K-1 zeros) is put before the input along time, a depthwise Conv without padding gives an output as long as
     * the input, SiLU/Swish is {@code y·sigmoid(y)}, and the present state is the last K-1 positions of the
     * extended sequence.
     */
    private static List<Value> causalConv(OnnxNode n) {
        Value x = n.requireInput(0);
        Value w = n.requireInput(1);
        if (!w.shape().hasRank() || w.shape().rank() != 3 || !w.shape().isStatic() || w.shape().dim(1) != 1) {
            throw n.error("weight must have a static shape (channels, 1, k), got " + w.shape());
        }
        int channels = w.shape().dim(0);
        long k = w.shape().dim(2);
        String activation = n.attrString("activation", "none").toLowerCase(Locale.ROOT);
        if (!List.of("none", "silu", "swish").contains(activation)) {
            throw n.error("activation '" + activation + "' is not none, silu or swish");
        }
        Value seq = n.hasInput(3) ? n.call("Concat", List.of(n.input(3), x), "axis", 2L)
                : k > 1 ? n.call("Pad", List.of(x, n.constant(Tensor.vector(0, 0, k - 1, 0, 0, 0)))) : x;
        List<Value> convInputs = new ArrayList<>(List.of(seq, w));
        if (n.hasInput(2)) {
            convInputs.add(n.input(2));
        }
        Value y = n.call("Conv", convInputs, "group", (long) channels);
        if (!activation.equals("none")) {
            y = n.call("Mul", List.of(y, n.call("Sigmoid", List.of(y))));
        }
        // with k = 1 the state is empty: a slice starting past the end
        long start = k > 1 ? -(k - 1) : Long.MAX_VALUE;
        Value state = n.call("Slice", List.of(seq, n.constant(Tensor.vector(start)),
                n.constant(Tensor.vector(Long.MAX_VALUE)), n.constant(Tensor.vector(2))));
        return List.of(y, state);
    }

    private enum Cell {
        RNN(1, List.of("Tanh")), GRU(3, List.of("Sigmoid", "Tanh")), LSTM(4, List.of("Sigmoid", "Tanh", "Tanh"));

        final int gates;
        final List<String> activations;

        Cell(int gates, List<String> activations) {
            this.gates = gates;
            this.activations = activations;
        }
    }

    private static List<Value> translate(OnnxNode n, Cell cell) {
        long hidden = n.attrInt("hidden_size", 0);
        if (hidden <= 0) {
            throw n.error("hidden_size must be given and positive, got " + hidden);
        }
        String dirName = n.attrString("direction", "forward").toLowerCase(Locale.ROOT);
        Direction direction = switch (dirName) {
            case "forward" -> Direction.FORWARD;
            case "reverse" -> Direction.REVERSE;
            case "bidirectional" -> Direction.BIDIRECTIONAL;
            default -> throw n.error("direction '" + dirName + "' is not forward, reverse or bidirectional");
        };
        int dirs = direction == Direction.BIDIRECTIONAL ? 2 : 1;
        List<String> activations = activations(n, cell, dirs);
        float[] alphas = n.attrFloats("activation_alpha", new float[0]);
        float[] betas = n.attrFloats("activation_beta", new float[0]);
        if (dirs == 2) {
            alphas = firstHalf(n, alphas, "activation_alpha");
            betas = firstHalf(n, betas, "activation_beta");
        }
        float clip = n.has("clip") ? n.attrFloat("clip", 0) : 0;
        if (n.has("clip") && clip <= 0) {
            throw n.error("clip must be positive, got " + clip);
        }
        if (cell == Cell.LSTM && n.attrInt("input_forget", 0) != 0) {
            throw new UnsupportedModelException(n.error("input_forget=1 (coupled input and forget gates) is not "
                    + "supported").getMessage(), List.of("LSTM input_forget (node '" + n.name() + "')"));
        }
        long layout = n.attrInt("layout", 0);
        if (layout != 0 && layout != 1) {
            throw n.error("layout must be 0 or 1, got " + layout);
        }
        Value x = n.requireInput(0);
        if (!x.shape().hasRank() || x.shape().rank() != 3) {
            throw n.error("X must have rank 3, got " + x.shape());
        }
        ElementType type = x.type();
        // OpenVINO's sequence ops are batch-major: X [batch, seq, input], states [batch, dirs, hidden]
        if (layout == 0) {
            x = transpose(n, x, 1, 0, 2);
        }
        int h = (int) hidden;
        Value w = regroup(n, n.requireInput(1), cell, h, 1);
        Value rw = regroup(n, n.requireInput(2), cell, h, 1);
        Value b = bias(n, cell, h, dirs, type, n.attrInt("linear_before_reset", 0) != 0);
        Value shape = n.add(new ShapeOf(ElementType.I64), x);
        Value batch = n.add(new Gather(0), shape, n.constant(Tensor.vector(0)), n.constant(Tensor.scalar(0L)));
        Value lengths = n.hasInput(4) ? n.input(4) : n.add(new Broadcast(Broadcast.Mode.NUMPY),
                n.add(new Gather(0), shape, n.constant(Tensor.vector(1)), n.constant(Tensor.scalar(0L))), batch);
        Value h0 = state(n, 5, layout, batch, dirs, h, type);
        RecurrentSequence op;
        List<Value> inputs = new ArrayList<>(List.of(x, h0));
        switch (cell) {
            case RNN -> op = new RNNSequence(hidden, direction, activations, alphas, betas, clip);
            case GRU -> op = new GRUSequence(hidden, direction, activations, alphas, betas, clip,
                    n.attrInt("linear_before_reset", 0) != 0);
            default -> {
                op = new LSTMSequence(hidden, direction, activations, alphas, betas, clip);
                inputs.add(state(n, 6, layout, batch, dirs, h, type));
            }
        }
        inputs.addAll(List.of(lengths, w, rw, b));
        if (cell == Cell.LSTM && n.hasInput(7)) {
            inputs.add(n.input(7));
        }
        Node seq = n.addNode(op, inputs.toArray(Value[]::new));
        List<Value> outs = new ArrayList<>();
        // Y [batch, dirs, seq, hidden] → [seq, dirs, batch, hidden] (layout 0) or [batch, seq, dirs, hidden]
        outs.add(layout == 0 ? transpose(n, seq.output(0), 2, 1, 0, 3) : transpose(n, seq.output(0), 0, 2, 1, 3));
        for (int s = 1; s < seq.outputs().size(); s++) {
            outs.add(layout == 0 ? transpose(n, seq.output(s), 1, 0, 2) : seq.output(s));
        }
        return outs;
    }

    private static List<String> activations(OnnxNode n, Cell cell, int dirs) {
        List<String> given = n.attrStrings("activations");
        if (given.isEmpty()) {
            return cell.activations;
        }
        int per = cell.activations.size();
        if (given.size() != per * dirs) {
            throw n.error("needs " + per * dirs + " activations for " + dirs + " direction(s), got " + given);
        }
        if (dirs == 2 && !given.subList(0, per).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList()
                .equals(given.subList(per, 2 * per).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList())) {
            throw new UnsupportedModelException(n.error("different activations per direction " + given
                    + " are not supported (OpenVINO's sequence ops share one list)").getMessage(),
                    List.of(n.opType() + " activations (node '" + n.name() + "')"));
        }
        for (String a : given.subList(0, per)) {
            if (!List.of("relu", "tanh", "sigmoid", "affine", "leakyrelu", "thresholdedrelu", "scaledtanh",
                    "hardsigmoid", "elu", "softsign", "softplus").contains(a.toLowerCase(Locale.ROOT))) {
                throw n.error("activation '" + a + "' is not one ONNX allows in recurrent cells");
            }
        }
        return given.subList(0, per);
    }

    private static float[] firstHalf(OnnxNode n, float[] values, String name) {
        if (values.length % 2 != 0) {
            return values;
        }
        float[] first = java.util.Arrays.copyOf(values, values.length / 2);
        if (!java.util.Arrays.equals(first, java.util.Arrays.copyOfRange(values, values.length / 2, values.length))) {
            throw new UnsupportedModelException(n.error("different " + name + " per direction are not supported")
                    .getMessage(), List.of(n.opType() + " " + name + " (node '" + n.name() + "')"));
        }
        return first;
    }

    private static Value transpose(OnnxNode n, Value v, long... perm) {
        return n.add(new Transpose(), v, n.constant(Tensor.vector(perm)));
    }

    /** LSTM's ONNX gate blocks i, o, f, c along {@code axis} in OpenVINO's order f, i, c, o; others as they are. */
    private static Value regroup(OnnxNode n, Value v, Cell cell, int hidden, int axis) {
        if (cell != Cell.LSTM) {
            return v;
        }
        List<Value> g = n.addNode(new VariadicSplit(), v, n.constant(Tensor.scalar((long) axis)),
                n.constant(Tensor.vector(hidden, hidden, hidden, hidden))).outputs();
        return n.add(new Concat(axis), g.get(2), g.get(0), g.get(3), g.get(1));
    }

    /**
     * OpenVINO's single bias from ONNX's {@code [Wb, Rb]} rows: their sum, except GRU with linear_before_reset,
     * whose candidate keeps Wb_h and Rb_h apart (four rows). Absent: zeros.
     */
    private static Value bias(OnnxNode n, Cell cell, int hidden, int dirs, ElementType type, boolean lbr) {
        int rows = (cell == Cell.GRU && lbr ? 4 : cell.gates) * hidden;
        if (!n.hasInput(3)) {
            return n.constant(Tensor.allocate(type, dirs, rows));
        }
        int g = cell.gates * hidden;
        List<Value> halves = n.addNode(new VariadicSplit(), n.input(3), n.constant(Tensor.scalar(1L)),
                n.constant(Tensor.vector(g, g))).outputs();
        if (cell == Cell.GRU && lbr) {
            List<Value> wb = n.addNode(new VariadicSplit(), halves.get(0), n.constant(Tensor.scalar(1L)),
                    n.constant(Tensor.vector(2L * hidden, hidden))).outputs();
            List<Value> rb = n.addNode(new VariadicSplit(), halves.get(1), n.constant(Tensor.scalar(1L)),
                    n.constant(Tensor.vector(2L * hidden, hidden))).outputs();
            return n.add(new Concat(1), n.add(new Add(), wb.get(0), rb.get(0)), wb.get(1), rb.get(1));
        }
        return regroup(n, n.add(new Add(), halves.get(0), halves.get(1)), cell, hidden, 1);
    }

    /** Initial state input {@code i} in batch-major order, or zeros {@code [batch, dirs, hidden]}. */
    private static Value state(OnnxNode n, int i, long layout, Value batch, int dirs, int hidden, ElementType type) {
        if (n.hasInput(i)) {
            return layout == 0 ? transpose(n, n.input(i), 1, 0, 2) : n.input(i);
        }
        Value target = n.add(new Concat(0), batch, n.constant(Tensor.vector(dirs, hidden)));
        return n.add(new Broadcast(Broadcast.Mode.NUMPY), n.constant(Tensor.allocate(type)), target);
    }
}
