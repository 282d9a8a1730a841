package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpSpec;
import java.util.List;

/**
 * RNNSequence-5: the plain recurrent cell {@code H = f(W·x + R·H + B)} along a sequence (one gate; activation
 * {@code tanh} by default). Inputs X, initial_hidden_state, sequence_lengths, W, R, B; outputs Y and Ho (see
 * {@link RecurrentSequence}).
 */
public final class RNNSequence extends RecurrentSequence {
    /** The activations a file that names none gets: the default of the IR attribute and the op's count. */
    private static final List<String> ACTIVATIONS = List.of("tanh");
    public static final OpSpec<RNNSequence> SPEC = spec(RNNSequence.class, "RNNSequence", ACTIVATIONS,
            (c, a) -> new RNNSequence(c.hiddenSize(), c.direction(), c.activations(), c.alphas(), c.betas(), c.clip()));

    public RNNSequence(long hiddenSize, Direction direction, List<String> activations, float[] alphas, float[] betas,
                       float clip) {
        super(ACTIVATIONS, hiddenSize, direction, activations, alphas, betas, clip);
    }

    @Override
    protected int gates() {
        return 1;
    }

    @Override
    protected void step(double[] xw, double[] hr, double[] r, int rOffset, double[] bias, int biasOffset,
                        double[] extra, int direction, double[][] state) {
        double[] h = state[0];
        for (int j = 0; j < h.length; j++) {
            h[j] = activate(0, gateInput(xw, hr, bias, biasOffset, j));
        }
    }
}
