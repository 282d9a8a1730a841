package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpSpec;
import dev.infero.core.op.InferContext;
import java.util.List;

/**
 * LSTMSequence-5: the long short-term memory cell along a sequence, gates in OpenVINO's order f (forget), i (input),
 * c (cell candidate), o (output): {@code C' = f(f-gate)⊙C + f(i-gate)⊙g(c-gate)}, {@code H' = f(o-gate)⊙h(C')};
 * activations f, g, h default to {@code sigmoid, tanh, tanh}, clip applies to the gates, not to C'. Inputs X,
 * initial_hidden_state, initial_cell_state, sequence_lengths, W, R, B; outputs Y, Ho and Co.
 *
 * <p>An optional eighth input P {@code [num_directions, 3·hidden_size]} holds peephole weights in ONNX's order
 * i, o, f (added to the i and f gates times C, and to the o gate times C'). OpenVINO dropped peepholes after
 * LSTMSequence-1; Infero keeps them so ONNX LSTMs with peepholes run, and an IR written with them is Infero's own.
 */
public final class LSTMSequence extends RecurrentSequence {
    /** The activations a file that names none gets: the default of the IR attribute and the op's count. */
    private static final List<String> ACTIVATIONS = List.of("sigmoid", "tanh", "tanh");
    public static final OpSpec<LSTMSequence> SPEC = spec(LSTMSequence.class, "LSTMSequence", ACTIVATIONS,
            (c, a) -> new LSTMSequence(c.hiddenSize(), c.direction(), c.activations(), c.alphas(), c.betas(),
            c.clip()));

    public LSTMSequence(long hiddenSize, Direction direction, List<String> activations, float[] alphas, float[] betas,
                        float clip) {
        super(ACTIVATIONS, hiddenSize, direction, activations, alphas, betas, clip);
    }

    @Override
    protected int gates() {
        return 4;
    }

    @Override
    protected int states() {
        return 2;
    }

    @Override
    protected void inferExtra(InferContext ctx, int first) {
        if (ctx.hasInput(first)) {
            int[] any = {-1};
            expect(ctx, first, "P (peepholes)", new int[] {directions(), 3 * hiddenSize()}, any, any.clone(),
                    any.clone());
            if (ctx.inputType(first) != ctx.inputType(0)) {
                throw ctx.error("P must have X's element type " + ctx.inputType(0) + ", got " + ctx.inputType(first));
            }
        }
    }

    @Override
    protected void step(double[] xw, double[] hr, double[] r, int rOffset, double[] bias, int biasOffset,
                        double[] extra, int direction, double[][] state) {
        double[] h = state[0];
        double[] c = state[1];
        int n = h.length;
        int p = direction * 3 * n;
        for (int j = 0; j < n; j++) {
            double fPre = gateInput(xw, hr, bias, biasOffset, j);
            double iPre = gateInput(xw, hr, bias, biasOffset, n + j);
            double cPre = gateInput(xw, hr, bias, biasOffset, 2 * n + j);
            double oPre = gateInput(xw, hr, bias, biasOffset, 3 * n + j);
            if (extra != null) {
                iPre += extra[p + j] * c[j];
                fPre += extra[p + 2 * n + j] * c[j];
            }
            double cell = activate(0, fPre) * c[j] + activate(0, iPre) * activate(1, cPre);
            if (extra != null) {
                oPre += extra[p + n + j] * cell;
            }
            c[j] = cell;
            h[j] = activate(0, oPre) * activateUnclipped(2, cell);
        }
    }
}
