package dev.infero.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A per-tensor FakeQuantize over {@code [low, high]} with an integer zero point, as integer codes: {@code x} maps to
 * the level the op selects, {@code q = rint((x - low) / (high - low) · steps)} (0 at or below {@code low},
 * {@code steps} above {@code high}), minus the zero point. The codes are returned as integer-valued floats, so a float
 * product of codes is an exact integer product, and the dequantized value is {@code code · step()}; the value 0 (what
 * convolution padding reads) is code 0.
 * <p>
 * The level is bit-identical to the op's: the fast path multiplies by {@code steps / (high - low)} instead of dividing,
 * which moves the scaled value by a few ulps at most; only lanes within 2^-10 of a half-way point, where that could
 * change the rounding, are recomputed with the op's exact division.
 */
public final class ActivationQuantizer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Adding and subtracting 1.5·2^23 rounds to the nearest integer, ties to even, for |t| < 2^22. */
    private static final float ROUND = 12582912f;
    private static final float NEAR_HALF = 0.5f - 1f / 1024;

    private final float low;
    private final float high;
    private final float span;
    private final float steps;
    private final float inverse;
    private final int zeroPoint;

    private ActivationQuantizer(float low, float high, float steps, int zeroPoint) {
        this.low = low;
        this.high = high;
        this.span = high - low;
        this.steps = steps;
        this.inverse = steps / span;
        this.zeroPoint = zeroPoint;
    }

    /**
     * The quantizer of a FakeQuantize with input and output range {@code [low, high]} and {@code levels} levels, or
     * {@code null} when its zero point {@code -low / step} is not an integer (the value 0 would have no exact code).
     */
    public static ActivationQuantizer of(float low, float high, long levels) {
        if (!(low < high) || levels < 2 || levels > 256 || low > 0 || high < 0) {
            return null;
        }
        float steps = levels - 1;
        double zero = -(double) low * steps / ((double) high - low);
        long rounded = Math.round(zero);
        if (Math.abs(zero - rounded) > 1e-4) {
            return null;
        }
        return new ActivationQuantizer(low, high, steps, (int) rounded);
    }

    /** The real value of one code. */
    public double step() {
        return (double) span / steps;
    }

    public int zeroPoint() {
        return zeroPoint;
    }

    /** The largest |code|. */
    public int maxAbsCode() {
        return Math.max(zeroPoint, (int) steps - zeroPoint);
    }

    /** The code of one value, computed exactly as the op computes its level. */
    public float quantize(float x) {
        float q = x <= low ? 0f : x > high ? steps : (float) Math.rint((x - low) / span * steps);
        return q - zeroPoint;
    }

    /** Codes of {@code n} values {@code x[xOff..]} into {@code q[qOff..]}. */
    public void quantize(float[] x, int xOff, float[] q, int qOff, int n) {
        FloatVector vLow = FloatVector.broadcast(S, low);
        FloatVector vInverse = FloatVector.broadcast(S, inverse);
        FloatVector vSteps = FloatVector.broadcast(S, steps);
        FloatVector vZero = FloatVector.broadcast(S, (float) zeroPoint);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector d = v.sub(vLow);
            FloatVector t = d.mul(vInverse);
            FloatVector r = t.add(ROUND).sub(ROUND);
            VectorMask<Float> nearHalf = t.sub(r).abs().compare(VectorOperators.GT, NEAR_HALF);
            if (nearHalf.anyTrue()) {
                r = r.blend(d.div(span).mul(vSteps).add(ROUND).sub(ROUND), nearHalf);
            }
            r.blend(0f, v.compare(VectorOperators.LE, low)).blend(vSteps, v.compare(VectorOperators.GT, high))
                    .sub(vZero).intoArray(q, qOff + i);
        }
        for (; i < n; i++) {
            q[qOff + i] = quantize(x[xOff + i]);
        }
    }
}
