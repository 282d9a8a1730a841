package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import dev.infero.cpu.jit.VectorExp;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * PostOps' SIGMOID, SWISH and ELU give, in the vector body and in the scalar tail alike, the generated kernels' values
 * bit for bit ({@link VectorExp}'s scalar statements), on the first call and after C2 has compiled the loops: fused
 * activations no longer depend on whether the Vector API's EXP ran interpreted or as SVML.
 */
class PostOpsExpTest {
    /** Enough calls for C2 to compile activateVectors mid-test. */
    private static final int ROUNDS = 5_000;

    /** Random values of [-100, 100] (beyond the exp's clamps) and edge values; a length no vector divides. */
    static float[] inputs() {
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -86f, Math.nextDown(-86f),
            88f, Math.nextUp(88f), 89f, -89f, 1e-8f, -1e-8f, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Random r = new Random(3);
        float[] x = new float[4093];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 200 - 100;
        }
        // Edges both in the vector body and in the tail.
        System.arraycopy(edges, 0, x, 100, edges.length);
        System.arraycopy(edges, 0, x, x.length - edges.length, edges.length);
        return x;
    }

    private static void assertMatches(PostOps.Activation activation, float alpha, UnaryOperator<Float> generated) {
        PostOps post = new PostOps(null, false, activation, alpha, 0);
        float[] x = inputs();
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            // apply computes x · 1 + 0 first (fma), which turns -0 into +0.
            expected[i] = generated.apply(Math.fma(x[i], 1f, 0f));
        }
        PostOps.AlongChannels along = post.alongChannels(x.length);
        for (int round = 0; round < ROUNDS; round++) {
            float[] data = x.clone();
            if (round % 2 == 0) {
                post.apply(data, 0, data.length, 0, null);
            } else {
                along.apply(data, 0, data.length, 0, null);
            }
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(data[i])) {
                    fail(activation + " of " + x[i] + " (index " + i + ") on call " + round + ": " + data[i]
                            + ", generated code " + expected[i]);
                }
            }
        }
    }

    @Test
    void sigmoidIsTheGeneratedSigmoid() {
        assertMatches(PostOps.Activation.SIGMOID, 0f, VectorExp::sigmoidScalar);
    }

    @Test
    void swishIsTheGeneratedSwish() {
        assertMatches(PostOps.Activation.SWISH, 1f, v -> VectorExp.swishScalar(v, 1f));
        assertMatches(PostOps.Activation.SWISH, 1.7f, v -> VectorExp.swishScalar(v, 1.7f));
    }

    @Test
    void eluIsTheGeneratedElu() {
        assertMatches(PostOps.Activation.ELU, 0.5f, v -> VectorExp.eluScalar(v, 0.5f));
    }
}
