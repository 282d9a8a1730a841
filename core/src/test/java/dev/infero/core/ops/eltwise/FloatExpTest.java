package dev.infero.core.ops.eltwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * FloatExp's vector forms equal its scalar forms bit for bit on every lane, on the first call (the Vector API's Java
 * fallback) and after C2 has compiled the loop (its intrinsics): the runtime's exp is deterministic; and the scalar
 * exp is within 1 ulp of the correctly rounded exp over [-86, 88].
 */
class FloatExpTest {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Enough calls for C2 to compile the loops (and the ops' evaluate) mid-test. */
    private static final int ROUNDS = 20_000;

    /** Random values of [-100, 100] (beyond both clamps), then the edge values; a length no vector divides. */
    private static float[] inputs() {
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
            Float.MIN_NORMAL / 3, -86f, Math.nextDown(-86f), Math.nextUp(-86f), -87.33655f, -103.97208f, 88f,
            Math.nextDown(88f), Math.nextUp(88f), 88.72284f, 89f, 1e-8f, -1e-8f, 0.5f, -0.5f, 1f, -1f,
            0.34657359f, -0.34657359f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN};
        Random r = new Random(7);
        float[] x = new float[4093];
        for (int i = 0; i < x.length - edges.length; i++) {
            x[i] = r.nextFloat() * 200 - 100;
        }
        System.arraycopy(edges, 0, x, x.length - edges.length, edges.length);
        return x;
    }

    private static void expLanes(float[] x, float[] z) {
        for (int i = 0; i < F.loopBound(x.length); i += F.length()) {
            FloatExp.exp(FloatVector.fromArray(F, x, i)).intoArray(z, i);
        }
    }

    private static void sigmoidLanes(float[] x, float[] z) {
        for (int i = 0; i < F.loopBound(x.length); i += F.length()) {
            FloatExp.sigmoid(FloatVector.fromArray(F, x, i)).intoArray(z, i);
        }
    }

    /** Lanes from {@code lanes} equal {@code scalar} on every value (NaN as NaN), on every one of ROUNDS calls. */
    private static void assertLanesMatchScalar(String what, java.util.function.BiConsumer<float[], float[]> lanes,
                                               UnaryOperator<Float> scalar) {
        float[] x = inputs();
        // Each lane's input also at every lane position: the tail of inputs() holds the edges.
        float[] shifted = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            shifted[i] = x[(i + x.length - F.length() * 3 - 1) % x.length];
        }
        for (float[] in : new float[][] {x, shifted}) {
            int n = F.loopBound(in.length);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = scalar.apply(in[i]);
            }
            float[] z = new float[in.length];
            for (int round = 0; round < ROUNDS; round++) {
                lanes.accept(in, z);
                // Arrays.equals compares floatToIntBits: every bit, NaNs as one.
                if (!Arrays.equals(expected, 0, n, z, 0, n)) {
                    int i = Arrays.mismatch(expected, 0, n, z, 0, n);
                    fail(what + " of " + in[i] + " on call " + round + ": lanes " + z[i] + ", scalar " + expected[i]);
                }
            }
        }
    }

    @Test
    void vectorExpEqualsTheScalarBitForBitColdAndWarm() {
        assertLanesMatchScalar("exp", FloatExpTest::expLanes, FloatExp::exp);
    }

    @Test
    void vectorSigmoidEqualsTheScalarBitForBitColdAndWarm() {
        assertLanesMatchScalar("sigmoid", FloatExpTest::sigmoidLanes, FloatExp::sigmoid);
    }

    private static void expFullRangeLanes(float[] x, float[] z) {
        for (int i = 0; i < F.loopBound(x.length); i += F.length()) {
            FloatExp.expFullRange(FloatVector.fromArray(F, x, i)).intoArray(z, i);
        }
    }

    @Test
    void vectorExpFullRangeEqualsTheScalarBitForBitColdAndWarm() {
        assertLanesMatchScalar("expFullRange", FloatExpTest::expFullRangeLanes, FloatExp::expFullRange);
    }

    @Test
    void expFullRangeIsWithinOneUlpEverywhereAndExpWhereNormal() {
        // Every 61st float (70 million; all 4.3 billion measured once: none beyond 1 ulp).
        for (int sign = 0; sign < 2; sign++) {
            for (int b = 0; b <= 0x7f800000; b += 61) {
                float x = Float.intBitsToFloat(b | sign << 31);
                float e = FloatExp.expFullRange(x);
                if (Math.abs((long) Float.floatToRawIntBits(e) - Float.floatToRawIntBits((float) Math.exp(x))) > 1
                        || x >= FloatExp.LO && x <= FloatExp.HI && e != FloatExp.exp(x)) {
                    fail("expFullRange(" + x + ") = " + e + ", correctly rounded " + (float) Math.exp(x));
                }
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.expFullRange(88.72284f));
        assertEquals(Float.MIN_VALUE, FloatExp.expFullRange(-103.9f));
        assertEquals(0f, FloatExp.expFullRange(-104f));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.expFullRange(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatExp.expFullRange(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(FloatExp.expFullRange(Float.NaN)));
    }

    @Test
    void expOpIsExpFullRangeInLanesAndTail() {
        assertOpMatchesScalar(new Exp(), FloatExp::expFullRange);
    }

    @Test
    void withinOneUlpOfTheCorrectlyRoundedExpOverTheClampedRange() {
        // Every 61st float of [-86, 88] (36 million; all 2.2 billion measured once: 99.5 % exact, none beyond 1 ulp).
        long worst = 0;
        for (int sign = 0; sign < 2; sign++) {
            int top = Float.floatToRawIntBits(sign == 0 ? FloatExp.HI : -FloatExp.LO);
            for (int b = 0; b <= top; b += 61) {
                float x = Float.intBitsToFloat(b | sign << 31);
                long ulps = Math.abs((long) Float.floatToRawIntBits(FloatExp.exp(x))
                        - Float.floatToRawIntBits((float) Math.exp(x)));
                worst = Math.max(worst, ulps);
                if (ulps > 1) {
                    fail("exp(" + x + ") = " + FloatExp.exp(x) + ", correctly rounded " + (float) Math.exp(x));
                }
            }
        }
        assertEquals(1, worst);
    }

    @Test
    void edgesFollowTheClampAndKeepNaN() {
        assertEquals(1f, FloatExp.exp(0f));
        assertEquals(1f, FloatExp.exp(-0f));
        assertEquals(1f, FloatExp.exp(Float.MIN_VALUE));
        assertEquals(FloatExp.exp(-86f), FloatExp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(FloatExp.exp(88f), FloatExp.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FloatExp.exp(Float.NaN)));
        assertEquals(0.5f, FloatExp.sigmoid(0f));
        assertEquals(1f, FloatExp.sigmoid(100f));
        assertTrue(FloatExp.sigmoid(-100f) < 1e-37f);
        assertEquals(-0.5f, FloatExp.elu(-1000f, 0.5f));
        assertEquals(3f, FloatExp.elu(3f, 0.5f));
    }

    /** An op's f32 evaluation equals {@code scalar} on every value (vector body and tail), on every call. */
    private static void assertOpMatchesScalar(Op op, UnaryOperator<Float> scalar) {
        float[] x = inputs();
        Tensor in = Tensor.of(x, x.length);
        for (int round = 0; round < ROUNDS; round++) {
            Tensor out = Tensor.allocate(in.type(), x.length);
            op.evaluate(new Tensor[] {in}, new Tensor[] {out});
            for (int i = 0; i < x.length; i++) {
                float e = scalar.apply(x[i]);
                if (Float.floatToIntBits(e) != Float.floatToIntBits(out.floats()[i])) {
                    fail(op + " of " + x[i] + " (index " + i + ") on call " + round + ": " + out.floats()[i]
                            + ", expected " + e);
                }
            }
        }
    }

    @Test
    void sigmoidOpIsFloatExpSigmoidInLanesAndTail() {
        assertOpMatchesScalar(new Sigmoid(), FloatExp::sigmoid);
    }

    @Test
    void eluOpIsFloatExpEluInLanesAndTail() {
        assertOpMatchesScalar(new Elu(0.7), v -> FloatExp.elu(v, 0.7f));
    }

    @Test
    void softmaxIsTheSameColdAndWarm() {
        // Rows of 37 (a vector body and a tail) with masked (-inf, -1e9) logits, which give exact zeros.
        Random r = new Random(11);
        float[] x = new float[64 * 37];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 11 == 3 ? Float.NEGATIVE_INFINITY : i % 13 == 5 ? -1e9f : r.nextFloat() * 40 - 20;
        }
        Tensor in = Tensor.of(x, 64, 37);
        Op op = new Softmax(1);
        float[] first = null;
        for (int round = 0; round < ROUNDS / 10; round++) {
            Tensor out = Tensor.allocate(in.type(), 64, 37);
            op.evaluate(new Tensor[] {in}, new Tensor[] {out});
            if (first == null) {
                first = out.floats();
                for (int i = 0; i < x.length; i++) {
                    if (x[i] < -1e8f) {
                        assertEquals(0f, first[i], "masked logit " + i);
                    }
                }
            } else if (!Arrays.equals(first, out.floats())) {
                int i = Arrays.mismatch(first, out.floats());
                fail("softmax value " + i + " on call " + round + ": " + out.floats()[i] + ", first call " + first[i]);
            }
        }
    }
}
