package dev.infero.core.ops.recurrent;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The shared shape of OpenVINO's opset-5 recurrent sequence ops ({@link RNNSequence}, {@link GRUSequence},
 * {@link LSTMSequence}): a cell applied along the time axis of {@code X [batch, seq_length, input_size]}, once per
 * direction, from initial states {@code [batch, num_directions, hidden_size]}, with weights
 * {@code W [num_directions, gates·hidden_size, input_size]}, {@code R [num_directions, gates·hidden_size,
 * hidden_size]} and bias {@code B [num_directions, gates·hidden_size]}. Batch entry {@code b} runs
 * {@code sequence_lengths[b]} steps (the reverse direction starts at its last valid step); outputs are
 * {@code Y [batch, num_directions, seq_length, hidden_size]}, zero past each entry's length, and the last states
 * {@code [batch, num_directions, hidden_size]}. Gate pre-activations are clipped to {@code [-clip, clip]} when
 * {@code clip > 0}. The reference evaluation accumulates in double precision.
 */
public abstract class RecurrentSequence extends Op {
    /** Which way(s) the cell walks the sequence. */
    public enum Direction { FORWARD, REVERSE, BIDIRECTIONAL }

    private static final Attribute<RecurrentSequence, Direction> DIRECTION = Attribute.enumValue("direction",
            Direction.class, RecurrentSequence::direction).orElse(Direction.FORWARD);
    private static final Attribute<RecurrentSequence, Long> HIDDEN_SIZE = Attribute.integer("hidden_size",
            r -> (long) r.hiddenSize());
    /** Comma-separated; the default (left out or empty) is each op's own. */
    private static final Attribute<RecurrentSequence, String> ACTIVATIONS = Attribute.<RecurrentSequence>string(
            "activations", r -> String.join(",", r.activations())).orElse("");
    private static final Attribute<RecurrentSequence, float[]> ALPHAS = Attribute.numbers("activations_alpha",
            RecurrentSequence::alphas).orElse(new float[0]);
    private static final Attribute<RecurrentSequence, float[]> BETAS = Attribute.numbers("activations_beta",
            RecurrentSequence::betas).orElse(new float[0]);
    private static final Attribute<RecurrentSequence, Double> CLIP = Attribute.<RecurrentSequence>number("clip",
            r -> (double) r.clip()).orElse(0.0);

    private final int hiddenSize;
    private final Direction direction;
    private final List<String> activations;
    private final float[] alphas;
    private final float[] betas;
    private final float clip;
    private final List<RecurrentActivation> resolved;

    /**
     * A cell with {@code activations}: as many as its {@code defaultActivations}, the ones a file naming none gets.
     */
    protected RecurrentSequence(List<String> defaultActivations, long hiddenSize, Direction direction,
                                List<String> activations, float[] alphas, float[] betas, float clip) {
        if (hiddenSize <= 0 || hiddenSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("hidden_size must be positive, got " + hiddenSize);
        }
        this.hiddenSize = (int) hiddenSize;
        this.direction = direction;
        this.activations = activations.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        for (String a : this.activations) {
            if (!RecurrentActivation.known(a)) {
                throw new IllegalArgumentException("activation '" + a + "' is not one a recurrent cell supports");
            }
        }
        if (this.activations.size() != defaultActivations.size()) {
            throw new IllegalArgumentException(type() + " needs " + defaultActivations.size() + " activations, got "
                    + this.activations);
        }
        this.alphas = alphas.clone();
        this.betas = betas.clone();
        this.clip = clip;
        this.resolved = RecurrentActivation.resolve(this.activations, alphas, betas);
    }

    /** The attributes every recurrent sequence op shares, as read from IR. */
    protected record Common(long hiddenSize, Direction direction, List<String> activations, float[] alphas,
                            float[] betas, float clip) {
        /** Reads them; activations left out (or empty) are {@code defaultActivations}. */
        static Common read(AttributeSource a, List<String> defaultActivations) {
            String names = ACTIVATIONS.read(a);
            List<String> activations = !names.isEmpty()
                    ? Arrays.stream(names.split(",")).map(String::trim).toList()
                    : defaultActivations;
            for (String name : activations) {
                if (!RecurrentActivation.known(name)) {
                    throw a.error("activation '" + name + "' is not one a recurrent cell supports");
                }
            }
            if (activations.size() != defaultActivations.size()) {
                throw a.error("needs " + defaultActivations.size() + " activations, got " + activations);
            }
            long hidden = HIDDEN_SIZE.read(a);
            if (hidden <= 0) {
                throw a.error("attribute hidden_size=" + hidden + " must be positive");
            }
            return new Common(hidden, DIRECTION.read(a), activations, ALPHAS.read(a), BETAS.read(a),
                    (float) (double) CLIP.read(a));
        }
    }

    /**
     * The declaration of a recurrent sequence op (opset 5): the shared attributes ({@code direction},
     * {@code hidden_size}, {@code activations}, {@code activations_alpha}, {@code activations_beta}, {@code clip}),
     * then the op's own {@code extra} ones; {@code create} builds the op from the shared ones (activations left out
     * are {@code defaultActivations}) and the source.
     */
    @SafeVarargs
    protected static <O extends RecurrentSequence> OpSpec<O> spec(Class<O> opClass, String type,
                                                                  List<String> defaultActivations,
                                                                  BiFunction<Common, AttributeSource, O> create,
                                                                  Attribute<? super O, ?>... extra) {
        List<Attribute<? super O, ?>> attributes = new ArrayList<>(List.of(DIRECTION, HIDDEN_SIZE, ACTIVATIONS,
                ALPHAS, BETAS, CLIP));
        attributes.addAll(List.of(extra));
        return OpSpec.of(opClass, type, "opset5", a -> create.apply(Common.read(a, defaultActivations), a),
                attributes);
    }

    /** Gates per cell: 1 (RNN), 3 (GRU), 4 (LSTM). */
    protected abstract int gates();

    /** Number of rows of one direction's bias, in units of hidden_size. */
    protected int biasGates() {
        return gates();
    }

    /** Recurrent states carried between steps: 1 (hidden) for RNN and GRU; LSTM overrides it (hidden, cell). */
    protected int states() {
        return 1;
    }

    /** Index of {@code sequence_lengths} among the inputs; W, R and B follow it. */
    private int lengthsInput() {
        return 1 + states();
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public Direction direction() {
        return direction;
    }

    public List<String> activations() {
        return activations;
    }

    public float clip() {
        return clip;
    }

    /** The activations' alpha parameters ({@code activations_alpha}). */
    public float[] alphas() {
        return alphas.clone();
    }

    /** The activations' beta parameters ({@code activations_beta}). */
    public float[] betas() {
        return betas.clone();
    }

    protected int directions() {
        return direction == Direction.BIDIRECTIONAL ? 2 : 1;
    }

    @Override
    public void infer(InferContext ctx) {
        int lengths = lengthsInput();
        if (ctx.inputCount() < lengths + 4) {
            throw ctx.error("needs " + (lengths + 4) + " inputs (X, initial states, sequence_lengths, W, R, B), got "
                    + ctx.inputCount());
        }
        ctx.requireFloating(0, "X");
        for (int i = 1; i < lengths + 4; i++) {
            if (i != lengths && ctx.hasInput(i) && ctx.inputType(i) != ctx.inputType(0)) {
                throw ctx.error("input " + i + " must have X's element type " + ctx.inputType(0) + ", got "
                        + ctx.inputType(i));
            }
        }
        if (!ctx.inputType(lengths).isInteger()) {
            throw ctx.error("sequence_lengths must be integer, got " + ctx.inputType(lengths));
        }
        int dirs = directions();
        int[] batch = {PartialShape.DYNAMIC};
        int[] seq = {PartialShape.DYNAMIC};
        int[] inputSize = {PartialShape.DYNAMIC};
        expect(ctx, 0, "X", new int[] {-2, -3, -4}, batch, seq, inputSize);
        for (int s = 0; s < states(); s++) {
            expect(ctx, 1 + s, s == 0 ? "initial_hidden_state" : "initial_cell_state",
                    new int[] {-2, dirs, hiddenSize}, batch, seq, inputSize);
        }
        expect(ctx, lengths, "sequence_lengths", new int[] {-2}, batch, seq, inputSize);
        expect(ctx, lengths + 1, "W", new int[] {dirs, gates() * hiddenSize, -4}, batch, seq, inputSize);
        expect(ctx, lengths + 2, "R", new int[] {dirs, gates() * hiddenSize, hiddenSize}, batch, seq, inputSize);
        expect(ctx, lengths + 3, "B", new int[] {dirs, biasGates() * hiddenSize}, batch, seq, inputSize);
        inferExtra(ctx, lengths + 4);
        Tensor lengthValues = ctx.inputValue(lengths);
        if (lengthValues != null && seq[0] != PartialShape.DYNAMIC) {
            for (int i = 0; i < lengthValues.size(); i++) {
                long l = lengthValues.getLong(i);
                if (l < 0 || l > seq[0]) {
                    throw ctx.error("sequence_lengths[" + i + "] = " + l + " is outside [0, " + seq[0] + "]");
                }
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(batch[0], dirs, seq[0], hiddenSize));
        for (int s = 0; s < states(); s++) {
            ctx.setOutput(1 + s, ctx.inputType(0), PartialShape.of(batch[0], dirs, hiddenSize));
        }
    }

    /** Checks optional inputs past B (LSTM's peepholes), starting at input {@code first}. */
    protected void inferExtra(InferContext ctx, int first) {
    }

    /**
     * Checks input {@code i} against {@code dims}: a positive value is a fixed size, -2, -3 and -4 stand for batch,
     * seq_length and input_size, which the inputs must agree on (collected in the one-element arrays).
     */
    protected static void expect(InferContext ctx, int i, String name, int[] dims, int[] batch, int[] seq,
                                 int[] inputSize) {
        PartialShape s = ctx.inputShape(i);
        if (!s.hasRank()) {
            return;
        }
        if (s.rank() != dims.length) {
            throw ctx.error(name + " must have rank " + dims.length + ", got " + s);
        }
        for (int d = 0; d < dims.length; d++) {
            if (s.isDynamic(d)) {
                continue;
            }
            int actual = s.dim(d);
            int[] slot = switch (dims[d]) {
                case -2 -> batch;
                case -3 -> seq;
                case -4 -> inputSize;
                default -> null;
            };
            if (slot == null) {
                if (actual != dims[d]) {
                    throw ctx.error(name + " " + s + " must have " + dims[d] + " at dimension " + d);
                }
            } else if (slot[0] == PartialShape.DYNAMIC) {
                slot[0] = actual;
            } else if (slot[0] != actual) {
                throw ctx.error(name + " " + s + " disagrees with the other inputs at dimension " + d + " (expected "
                        + slot[0] + ")");
            }
        }
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        int batch = x.dim(0);
        int seq = x.dim(1);
        int in = x.dim(2);
        int h = hiddenSize;
        int g = gates();
        int dirs = directions();
        int lengthsIndex = lengthsInput();
        double[] xs = doubles(x);
        double[][] init = new double[states()][];
        for (int s = 0; s < states(); s++) {
            init[s] = doubles(inputs[1 + s]);
        }
        Tensor lengths = inputs[lengthsIndex];
        double[] w = doubles(inputs[lengthsIndex + 1]);
        double[] r = doubles(inputs[lengthsIndex + 2]);
        double[] bias = doubles(inputs[lengthsIndex + 3]);
        double[] extra = inputs.length > lengthsIndex + 4 && inputs[lengthsIndex + 4] != null
                ? doubles(inputs[lengthsIndex + 4]) : null;
        Tensor y = outputs[0];
        for (int i = 0; i < y.size(); i++) {
            y.setDouble(i, 0);
        }
        double[] xw = new double[g * h];
        double[] hr = new double[g * h];
        double[][] state = new double[states()][h];
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction == Direction.REVERSE || d == 1;
            for (int b = 0; b < batch; b++) {
                int length = (int) Math.min(Math.max(lengths.getLong(b), 0), seq);
                for (int s = 0; s < states(); s++) {
                    System.arraycopy(init[s], (b * dirs + d) * h, state[s], 0, h);
                }
                for (int step = 0; step < length; step++) {
                    int t = reverse ? length - 1 - step : step;
                    int xBase = (b * seq + t) * in;
                    for (int row = 0; row < g * h; row++) {
                        int wBase = (d * g * h + row) * in;
                        double sum = 0;
                        for (int k = 0; k < in; k++) {
                            sum += w[wBase + k] * xs[xBase + k];
                        }
                        xw[row] = sum;
                        int rBase = (d * g * h + row) * h;
                        double rs = 0;
                        for (int k = 0; k < h; k++) {
                            rs += r[rBase + k] * state[0][k];
                        }
                        hr[row] = rs;
                    }
                    step(xw, hr, r, d * g * h * h, bias, d * biasGates() * h, extra, d, state);
                    int yBase = ((b * dirs + d) * seq + t) * h;
                    for (int j = 0; j < h; j++) {
                        y.setDouble(yBase + j, state[0][j]);
                    }
                }
                for (int s = 0; s < states(); s++) {
                    for (int j = 0; j < h; j++) {
                        outputs[1 + s].setDouble((b * dirs + d) * h + j, state[s][j]);
                    }
                }
            }
        }
    }

    /**
     * One cell step: from the input and recurrent products of every gate row ({@code xw = W·x}, {@code hr = R·h},
     * in the op's gate order), this direction's R (row-major {@code [gates·hidden, hidden]} at {@code rOffset}, for
     * cells that multiply R by something other than H), the bias of this direction at {@code biasOffset}, and the
     * optional extra input (peepholes), replaces the states ({@code state[0]} hidden, {@code state[1]} cell) with
     * the next ones.
     */
    protected abstract void step(double[] xw, double[] hr, double[] r, int rOffset, double[] bias, int biasOffset,
                                 double[] extra, int direction, double[][] state);

    /** The activation at position {@code i} of the list (f, g, h as ONNX and OpenVINO name them). */
    /**
     * A gate's input before activation at row {@code at} of the stacked gates ({@code gate · hidden_size + j}):
     * {@code x·W + H·R + B}, the one sum every cell forms (GRU's candidate with {@code linear_before_reset} aside).
     */
    protected static double gateInput(double[] xw, double[] hr, double[] bias, int biasOffset, int at) {
        return xw[at] + hr[at] + bias[biasOffset + at];
    }

    protected double activate(int i, double x) {
        return resolved.get(i).apply(clip > 0 ? Math.max(-clip, Math.min(clip, x)) : x);
    }

    /** Activation {@code i} without clipping (LSTM's h applied to the cell state, which is not a gate). */
    protected double activateUnclipped(int i, double x) {
        return resolved.get(i).apply(x);
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDouble(i);
        }
        return d;
    }

    @Override
    public long flops(Node node) {
        PartialShape x = node.input(0).shape();
        if (!x.isStatic()) {
            return 0;
        }
        long rows = (long) directions() * gates() * hiddenSize;
        return 2L * x.dim(0) * x.dim(1) * rows * (x.dim(2) + hiddenSize);
    }
}
