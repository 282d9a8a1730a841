package dev.infero.core.ops.misc;

import static dev.infero.core.ops.OpHarness.assertFloats;
import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

/** LinearAttention's update rules on one-element heads, worked by hand. */
class LinearAttentionTest {
    private static final Tensor Q = Tensor.of(new float[] {1, 2}, 1, 2, 1);
    private static final Tensor K = Tensor.of(new float[] {1, 1}, 1, 2, 1);
    private static final Tensor V = Tensor.of(new float[] {3, 4}, 1, 2, 1);

    @Test
    void linearAccumulatesOuterProductsAndReadsWithTheQuery() {
        // S = 3, then 7; outputs 1·3 and 2·7
        Node n = run(new LinearAttention(LinearAttention.UpdateRule.LINEAR, 1, 1, 1f), Q, K, V);
        assertFloats(new float[] {3, 14}, n.output(0).knownValue(), 0);
        assertFloats(new float[] {7}, n.output(1).knownValue(), 0);
    }

    @Test
    void gatedDeltaDecaysThenWritesTheCorrectionAndSharesStateAcrossAGroup() {
        Tensor decay = Tensor.of(new float[] {0, (float) Math.log(0.5)}, 1, 2, 1);
        Tensor beta = Tensor.of(new float[] {0.5f, 0.5f}, 1, 2, 1);
        Tensor q2 = Tensor.of(new float[] {1, 1, 2, -2}, 1, 2, 2); // two query heads on one key/value head
        // t0: S = 0 + 1·0.5·(3 − 0) = 1.5; t1: S' = 0.75, S = 0.75 + 0.5·(4 − 0.75) = 2.375
        Node n = run(new LinearAttention(LinearAttention.UpdateRule.GATED_DELTA, 2, 1, 1f), q2, K, V, decay, beta);
        assertFloats(new float[] {1.5f, 1.5f, 4.75f, -4.75f}, n.output(0).knownValue(), 1e-6);
        assertFloats(new float[] {2.375f}, n.output(1).knownValue(), 1e-6);
        // a past state of 1 and the default scale 1/√1
        Node past = run(new LinearAttention(LinearAttention.UpdateRule.DELTA, 1, 1, Float.NaN), Q, K, V, beta,
                Tensor.of(new float[] {1}, 1, 1, 1, 1));
        // t0: S = 1 + 0.5·(3 − 1) = 2; t1: S = 2 + 0.5·(4 − 2) = 3
        assertFloats(new float[] {2, 6}, past.output(0).knownValue(), 1e-6);
    }

    @Test
    void shapesNeedTheRuleInputsAndAttributesRoundTrip() {
        Node n = run(new LinearAttention(LinearAttention.UpdateRule.GATED, 8, 4, Float.NaN),
                PartialShape.of(2, 5, 64), PartialShape.of(2, 5, 32), PartialShape.of(2, 5, 48),
                PartialShape.of(2, 5, 4));
        assertEquals(PartialShape.of(2, 5, 96), n.output(0).shape());
        assertEquals(PartialShape.of(2, 4, 8, 12), n.output(1).shape());
        InferoException e = assertThrows(InferoException.class, () -> run(new LinearAttention(
                LinearAttention.UpdateRule.GATED_DELTA, 1, 1, 1f), Q, K, V, Tensor.of(new float[] {0, 0}, 1, 2, 1)));
        assertTrue(e.getMessage().contains("needs the beta input"), e.getMessage());
        assertRoundTrips(new LinearAttention(LinearAttention.UpdateRule.GATED_DELTA, 8, 4, 0.25f));
        assertRoundTrips(new LinearAttention(LinearAttention.UpdateRule.LINEAR, 2, 2, Float.NaN));
    }
}
