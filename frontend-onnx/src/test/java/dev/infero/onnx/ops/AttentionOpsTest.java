package dev.infero.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Semantics of Attention (masking, causal diagonal, grouped heads, score stages), the losses and the requantizing
 * integer ops, on constant inputs that fold at import.
 */
class AttentionOpsTest {
    private static List<Value> run(int opset, String op, int outputs, Consumer<OnnxModelBuilder.NodeBuilder> attrs,
            Tensor... inputs) {
        Graph g = OneNodeModel.imported(opset, op, OneNodeModel.numbered(outputs), attrs, inputs);
        return g.results().stream().map(r -> {
            assertTrue(r.input(0).isKnown(), "output folds");
            return r.input(0);
        }).toList();
    }

    private static float[] floats(Value v) {
        return v.knownValue().toFloatArray();
    }

    private static Tensor bools(int[] shape, int... values) {
        Tensor t = Tensor.allocate(ElementType.BOOLEAN, shape);
        for (int i = 0; i < values.length; i++) {
            t.setLong(i, values[i]);
        }
        return t;
    }

    /** Zero queries give equal scores, so Y is the mean of the values each query may attend to. */
    private static final Tensor Q0 = Tensor.of(new float[4], 1, 1, 2, 2);
    private static final Tensor V = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);

    @Test
    void aRowWhoseMaskHidesEveryKeyGivesZerosRatherThanNaN() {
        Tensor mask = bools(new int[] {2, 2}, 1, 1, 0, 0);
        float[] y = floats(run(23, "Attention", 1, n -> { }, Q0, Q0, V, mask).get(0));
        assertArrayEquals(new float[] {2, 3, 0, 0}, y);
    }

    @Test
    void causalMaskingHidesLaterKeysAndPastKeysShiftTheDiagonal() {
        assertArrayEquals(new float[] {1, 2, 2, 3}, floats(run(23, "Attention", 1, n -> n.attr("is_causal", 1),
                Q0, Q0, V).get(0)));
        // One query after one cached key: it sees the past key and its own.
        Tensor q = Tensor.of(new float[2], 1, 1, 1, 2);
        Tensor pastV = Tensor.of(new float[] {10, 20}, 1, 1, 1, 2);
        Tensor newV = Tensor.of(new float[] {30, 40}, 1, 1, 1, 2);
        List<Value> out = run(23, "Attention", 3, n -> n.attr("is_causal", 1), q, q, newV, null, q, pastV);
        assertArrayEquals(new float[] {20, 30}, floats(out.get(0)));
        assertArrayEquals(new float[] {10, 20, 30, 40}, floats(out.get(2)), "present value = past then new");
    }

    @Test
    void queryHeadsShareKeyValueHeadsInContiguousGroups() {
        Tensor q = Tensor.of(new float[4], 1, 4, 1, 1);
        Tensor k = Tensor.of(new float[2], 1, 2, 1, 1);
        Tensor v = Tensor.of(new float[] {10, 20}, 1, 2, 1, 1);
        assertArrayEquals(new float[] {10, 10, 20, 20}, floats(run(23, "Attention", 1, n -> { }, q, k, v).get(0)));
    }

    @Test
    void headCountsThatDoNotDivideAreRejected() {
        Tensor q = Tensor.of(new float[3], 1, 3, 1, 1);
        Tensor kv = Tensor.of(new float[2], 1, 2, 1, 1);
        InferoException e = assertThrows(InferoException.class, () -> run(23, "Attention", 1, n -> { }, q, kv, kv));
        assertTrue(e.getMessage().contains("3 query heads cannot share 2 key/value heads"), e.getMessage());
    }

    @Test
    void scoreStagesAreMatMulThenSoftcapThenMaskThenSoftmax() {
        // One query, two keys: scores q·k / √1 = [4, -4]; softcap 2 gives 2·tanh(±2); the mask then hides key 1.
        Tensor q = Tensor.of(new float[] {2}, 1, 1, 1, 1);
        Tensor k = Tensor.of(new float[] {2, -2}, 1, 1, 2, 1);
        Tensor v = Tensor.of(new float[] {5, 7}, 1, 1, 2, 1);
        Tensor mask = bools(new int[] {1, 2}, 1, 0);
        float capped = 2 * (float) Math.tanh(2);
        float[][] expected = {{4, -4}, {capped, -capped}, {capped, Float.NEGATIVE_INFINITY}, {1, 0}};
        for (int mode = 0; mode < 4; mode++) {
            int m = mode;
            List<Value> out = run(23, "Attention", 4, n -> n.attr("softcap", 2f).attr("qk_matmul_output_mode", m),
                    q, k, v, mask);
            assertArrayEquals(new float[] {5}, floats(out.get(0)));
            assertArrayEquals(expected[mode], floats(out.get(3)), 1e-6f, "mode " + mode);
        }
    }

    @Test
    void meanLossWithIgnoredTargetsDividesByTheWeightsOfTheCountedOnes() {
        Tensor logProb = Tensor.of(new float[] {-1, -2, -3, -4}, 2, 2);
        Tensor target = Tensor.vector(1, 0);
        Tensor weight = Tensor.of(new float[] {3, 5}, 2);
        // Sample 0 (class 1): 2·5; sample 1 is ignored.
        assertArrayEquals(new float[] {2}, floats(run(13, "NegativeLogLikelihoodLoss", 1,
                n -> n.attr("ignore_index", 0L), logProb, target, weight).get(0)));
        assertArrayEquals(new float[] {10, 0}, floats(run(13, "NegativeLogLikelihoodLoss", 1,
                n -> n.attr("ignore_index", 0L).attr("reduction", "none"), logProb, target, weight).get(0)), 0f,
                "an ignored target's loss is (minus) zero");
    }

    @Test
    void requantizationAddsTheZeroPointBeforeRoundingHalfToEven() {
        // acc = 1, multiplier 0.5 * 1 / 1: 0.5 + 1 = 1.5 rounds to 2 (rounding first would give 0 + 1 = 1).
        Tensor one = Tensor.of(new float[] {1}, 1);
        Tensor a = Tensor.of(new float[] {1}, 1, 1).convertTo(ElementType.U8);
        Tensor zero = Tensor.of(new float[] {0}, 1).convertTo(ElementType.U8);
        Tensor yZero = Tensor.of(new float[] {1}, 1).convertTo(ElementType.U8);
        Value y = run(21, "QLinearMatMul", 1, n -> { }, a, Tensor.of(new float[] {0.5f}, 1), zero, a, one, zero, one,
                yZero).get(0);
        assertArrayEquals(new long[] {2}, y.knownValue().toLongArray());
    }
}
