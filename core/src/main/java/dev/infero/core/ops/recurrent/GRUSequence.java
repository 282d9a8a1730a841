package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpSpec;
import dev.infero.core.op.Attribute;
import java.util.List;

/**
 * GRUSequence-5: the gated recurrent unit along a sequence, gates in OpenVINO's (and ONNX's) order z (update),
 * r (reset), h (candidate): {@code z = f(W_z·x + R_z·H + B_z)}, {@code r = f(W_r·x + R_r·H + B_r)}, candidate
 * {@code g(W_h·x + R_h·(r⊙H) + B_h)}, or with {@code linear_before_reset} {@code g(W_h·x + r⊙(R_h·H + Rb_h) + Wb_h)},
 * where B then holds four rows (z, r, Wb_h, Rb_h); {@code H' = (1 - z)⊙candidate + z⊙H}. Activations default to
 * {@code sigmoid, tanh}. Inputs X, initial_hidden_state, sequence_lengths, W, R, B; outputs Y and Ho.
 */
public final class GRUSequence extends RecurrentSequence {
    /** The activations a file that names none gets: the default of the IR attribute and the op's count. */
    private static final List<String> ACTIVATIONS = List.of("sigmoid", "tanh");
    private static final Attribute<GRUSequence, Boolean> LINEAR_BEFORE_RESET = Attribute.bool(
            "linear_before_reset", GRUSequence::linearBeforeReset).orElse(false);
    public static final OpSpec<GRUSequence> SPEC = spec(GRUSequence.class, "GRUSequence", ACTIVATIONS,
            (c, a) -> new GRUSequence(c.hiddenSize(), c.direction(), c.activations(), c.alphas(), c.betas(), c.clip(),
                    LINEAR_BEFORE_RESET.read(a)), LINEAR_BEFORE_RESET);

    private final boolean linearBeforeReset;

    public GRUSequence(long hiddenSize, Direction direction, List<String> activations, float[] alphas, float[] betas,
                       float clip, boolean linearBeforeReset) {
        super(ACTIVATIONS, hiddenSize, direction, activations, alphas, betas, clip);
        this.linearBeforeReset = linearBeforeReset;
    }

    public boolean linearBeforeReset() {
        return linearBeforeReset;
    }

    @Override
    protected int gates() {
        return 3;
    }

    @Override
    protected int biasGates() {
        return linearBeforeReset ? 4 : 3;
    }

    @Override
    protected void step(double[] xw, double[] hr, double[] r, int rOffset, double[] bias, int biasOffset,
                        double[] extra, int direction, double[][] state) {
        double[] h = state[0];
        int n = h.length;
        double[] z = new double[n];
        double[] reset = new double[n];
        for (int j = 0; j < n; j++) {
            z[j] = activate(0, gateInput(xw, hr, bias, biasOffset, j));
            reset[j] = activate(0, gateInput(xw, hr, bias, biasOffset, n + j));
        }
        double[] next = new double[n];
        for (int j = 0; j < n; j++) {
            double candidate;
            if (linearBeforeReset) {
                candidate = activate(1, xw[2 * n + j] + bias[biasOffset + 2 * n + j]
                        + reset[j] * (hr[2 * n + j] + bias[biasOffset + 3 * n + j]));
            } else {
                // the reset gate scales H before R_h multiplies it
                int row = rOffset + (2 * n + j) * n;
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += r[row + k] * reset[k] * h[k];
                }
                candidate = activate(1, xw[2 * n + j] + sum + bias[biasOffset + 2 * n + j]);
            }
            next[j] = (1 - z[j]) * candidate + z[j] * h[j];
        }
        System.arraycopy(next, 0, h, 0, n);
    }
}
