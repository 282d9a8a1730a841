package dev.infero.core.ops.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.Op;
import dev.infero.core.ops.OpHarness;
import dev.infero.core.ops.recurrent.RecurrentSequence.Direction;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed one-unit cells: directions, sequence lengths, gate order and the IR attribute round trip. */
class RecurrentSequenceTest {
    private static final float[] NONE = new float[0];

    private static Node run(Op op, Tensor... inputs) {
        return OpHarness.run(op, (Object[]) inputs);
    }

    private static float[] out(Node n, int i) {
        return n.output(i).knownValue().toFloatArray();
    }

    /** Two batch entries of length 3 and 2, one unit, H = relu(x + 0.5·H). */
    private static Node relu(Direction direction) {
        int dirs = direction == Direction.BIDIRECTIONAL ? 2 : 1;
        float[] w = new float[dirs];
        float[] r = new float[dirs];
        java.util.Arrays.fill(w, 1);
        java.util.Arrays.fill(r, 0.5f);
        return run(new RNNSequence(1, direction, List.of("relu"), NONE, NONE, 0),
                Tensor.of(new float[] {1, 2, 3, 1, 1, 9}, 2, 3, 1), Tensor.allocate(ElementType.F32,
                        2, dirs, 1), Tensor.of(new int[] {3, 2}, 2), Tensor.of(w, dirs, 1, 1), Tensor.of(r, dirs, 1, 1),
                Tensor.allocate(ElementType.F32, dirs, 1));
    }

    @Test
    void rnnRunsEachEntryForItsLengthAndZeroesTheRest() {
        Node f = relu(Direction.FORWARD);
        assertEquals(PartialShape.of(2, 1, 3, 1), f.output(0).shape());
        // entry 0: 1, 2 + 0.5, 3 + 1.25; entry 1 stops after two steps and its third output is zero
        assertArrayEquals(new float[] {1, 2.5f, 4.25f, 1, 1.5f, 0}, out(f, 0));
        assertArrayEquals(new float[] {4.25f, 1.5f}, out(f, 1));
    }

    @Test
    void reverseStartsAtTheLastValidStep() {
        Node r = relu(Direction.REVERSE);
        // entry 0: t2 = 3, t1 = 2 + 1.5, t0 = 1 + 1.75; entry 1 starts at t1 (its 9 is padding)
        assertArrayEquals(new float[] {2.75f, 3.5f, 3, 1.5f, 1, 0}, out(r, 0));
        assertArrayEquals(new float[] {2.75f, 1.5f}, out(r, 1));
        Node both = relu(Direction.BIDIRECTIONAL);
        assertEquals(PartialShape.of(2, 2, 3, 1), both.output(0).shape());
        assertArrayEquals(new float[] {1, 2.5f, 4.25f, 2.75f, 3.5f, 3, 1, 1.5f, 0, 1.5f, 1, 0}, out(both, 0));
        assertArrayEquals(new float[] {4.25f, 2.75f, 1.5f, 1.5f}, out(both, 1));
    }

    @Test
    void gruResetGateScalesTheStateBeforeOrAfterR() {
        // W and R only feed the candidate; z = r = sigmoid(0) = 0.5; H0 = 2, x = 1, R_h = 1
        Tensor x = Tensor.of(new float[] {1}, 1, 1, 1);
        Tensor h0 = Tensor.of(new float[] {2}, 1, 1, 1);
        Tensor lengths = Tensor.of(new int[] {1}, 1);
        Tensor w = Tensor.of(new float[] {0, 0, 1}, 1, 3, 1);
        Tensor r = Tensor.of(new float[] {0, 0, 1}, 1, 3, 1);
        Node plain = run(new GRUSequence(1, Direction.FORWARD, List.of("sigmoid", "tanh"), NONE, NONE, 0, false),
                x, h0, lengths, w, r, Tensor.of(new float[] {0, 0, 0.25f}, 1, 3));
        // candidate tanh(1 + R_h·(0.5·2) + 0.25); H = 0.5·candidate + 0.5·2
        assertArrayEquals(new float[] {(float) (0.5 * Math.tanh(2.25) + 1)}, out(plain, 1), 1e-6f);
        Node lbr = run(new GRUSequence(1, Direction.FORWARD, List.of("sigmoid", "tanh"), NONE, NONE, 0, true),
                x, h0, lengths, w, r, Tensor.of(new float[] {0, 0, 0.25f, 3}, 1, 4));
        // candidate tanh(1 + 0.25 + 0.5·(R_h·2 + 3))
        assertArrayEquals(new float[] {(float) (0.5 * Math.tanh(3.75) + 1)}, out(lbr, 1), 1e-6f);
    }

    @Test
    void lstmGatesAreForgetInputCellOutput() {
        // gate rows f, i, c, o of W: only the cell candidate sees x; biases make f, i, o distinct
        Tensor w = Tensor.of(new float[] {0, 0, 1, 0}, 1, 4, 1);
        Tensor r = Tensor.allocate(ElementType.F32, 1, 4, 1);
        Tensor b = Tensor.of(new float[] {1, 2, 0, 3}, 1, 4);
        Tensor x = Tensor.of(new float[] {0.5f}, 1, 1, 1);
        Tensor h0 = Tensor.allocate(ElementType.F32, 1, 1, 1);
        Tensor c0 = Tensor.of(new float[] {2}, 1, 1, 1);
        Tensor lengths = Tensor.of(new int[] {1}, 1);
        Node n = run(new LSTMSequence(1, Direction.FORWARD, List.of("sigmoid", "tanh", "tanh"), NONE, NONE, 0),
                x, h0, c0, lengths, w, r, b);
        double c = sigmoid(1) * 2 + sigmoid(2) * Math.tanh(0.5);
        assertArrayEquals(new float[] {(float) c}, out(n, 2), 1e-6f);
        assertArrayEquals(new float[] {(float) (sigmoid(3) * Math.tanh(c))}, out(n, 1), 1e-6f);
        // peepholes (order i, o, f) add P·C to i and f and P·C' to o
        Node peep = run(new LSTMSequence(1, Direction.FORWARD, List.of("sigmoid", "tanh", "tanh"), NONE, NONE, 0),
                x, h0, c0, lengths, w, r, b, Tensor.of(new float[] {0.1f, 0.2f, 0.3f}, 1, 3));
        double cp = sigmoid(1 + 0.3 * 2) * 2 + sigmoid(2 + 0.1 * 2) * Math.tanh(0.5);
        assertArrayEquals(new float[] {(float) cp}, out(peep, 2), 1e-6f);
        assertArrayEquals(new float[] {(float) (sigmoid(3 + 0.2 * cp) * Math.tanh(cp))}, out(peep, 1), 1e-6f);
    }

    @Test
    void clipBoundsGatePreActivationsAndAlphaGoesToTheFunctionsThatTakeIt() {
        Tensor x = Tensor.of(new float[] {5}, 1, 1, 1);
        Tensor zero = Tensor.allocate(ElementType.F32, 1, 1, 1);
        Tensor lengths = Tensor.of(new int[] {1}, 1);
        Tensor one = Tensor.of(new float[] {1}, 1, 1, 1);
        Tensor b = Tensor.allocate(ElementType.F32, 1, 1);
        Node clipped = run(new RNNSequence(1, Direction.FORWARD, List.of("relu"), NONE, NONE, 2), x, zero, lengths,
                one, one, b);
        assertArrayEquals(new float[] {2}, out(clipped, 1));
        Node affine = run(new RNNSequence(1, Direction.FORWARD, List.of("affine"), new float[] {3}, new float[] {1}, 0),
                x, zero, lengths, one, one, b);
        assertArrayEquals(new float[] {16}, out(affine, 1));
    }

    @Test
    void attributesRoundTripThroughTheIrFactory() {
        GRUSequence op = new GRUSequence(4, Direction.BIDIRECTIONAL, List.of("hardsigmoid", "tanh"),
                new float[] {0.3f}, new float[] {0.6f}, 1.5f, true);
        AttributeSink.Text text = new AttributeSink.Text();
        op.describe(text);
        assertEquals("bidirectional", text.values().get("direction"));
        assertEquals("hardsigmoid,tanh", text.values().get("activations"));
        OpHarness.assertRoundTrips(op);
    }

    @Test
    void mismatchedWeightsNameTheInput() {
        InferoException e = assertThrows(InferoException.class, () -> run(new RNNSequence(2, Direction.FORWARD,
                List.of("tanh"), NONE, NONE, 0), Tensor.allocate(ElementType.F32, 1, 3, 4),
                Tensor.allocate(ElementType.F32, 1, 1, 2), Tensor.of(new int[] {3}, 1),
                Tensor.allocate(ElementType.F32, 1, 2, 5),
                Tensor.allocate(ElementType.F32, 1, 2, 2),
                Tensor.allocate(ElementType.F32, 1, 2)));
        assertTrue(e.getMessage().contains("W ") && e.getMessage().contains("dimension 2"), e.getMessage());
        InferoException lengths = assertThrows(InferoException.class, () -> run(new RNNSequence(2, Direction.FORWARD,
                List.of("tanh"), NONE, NONE, 0), Tensor.allocate(ElementType.F32, 1, 3, 4),
                Tensor.allocate(ElementType.F32, 1, 1, 2), Tensor.of(new int[] {4}, 1),
                Tensor.allocate(ElementType.F32, 1, 2, 4),
                Tensor.allocate(ElementType.F32, 1, 2, 2),
                Tensor.allocate(ElementType.F32, 1, 2)));
        assertTrue(lengths.getMessage().contains("sequence_lengths[0] = 4 is outside [0, 3]"), lengths.getMessage());
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
