package dev.infero.cpu.kernels;

import dev.infero.core.ops.quantization.FakeQuantize;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * Where the op divides, this takes {@code fma(x, steps / (high - low), -low · steps / (high - low))}: the scaled
 * value moves by a few ulps, so a value within about 10^-4 of a level's rounding boundary may get the neighbouring
 * level (one step off, as summing in another order does), and a multiply replaces two divisions on every activation
 * of an INT8 layer. The vector loop rounds and clamps without float min/max (see {@link FastMinMax}): adding 1.5·2^23,
 * where floats are one apart, rounds the scaled value to its level (ties to even, as {@code rint}), and the levels
 * [0, steps] are then a range of the sum's bit patterns, clamped with integer max/min (a NaN gets the top level, or level 0
 * with its sign bit set).
 */
public final class ActivationQuantizer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Adding and subtracting 1.5·2^23 rounds to the nearest integer, ties to even, for |t| < 2^22. */
    private static final float ROUND = 12582912f;

    private final float low;
    private final float high;
    private final float span;
    private final float steps;
    private final float inverse;
    private final float offset;
    private final int zeroPoint;

    private ActivationQuantizer(float low, float high, float steps, int zeroPoint, float added) {
        this.low = low;
        this.high = high;
        this.span = high - low;
        this.steps = steps;
        this.inverse = steps / span;
        this.offset = (float) (((double) added - low) * inverse);
        this.zeroPoint = zeroPoint;
    }

    /**
     * The codes of {@code x + added} in one step: the addition folds into the multiply-add's constant (a bias before
     * the FakeQuantize costs no pass of its own). The sum is not rounded to float first, so a value within an ulp of
     * a level's rounding boundary may get the neighbouring level, as with any other order of summing.
     */
    public ActivationQuantizer adding(float added) {
        return new ActivationQuantizer(low, high, steps, zeroPoint, added);
    }

    /**
     * The quantizer of a FakeQuantize with input and output range {@code [low, high]} and {@code levels} levels, or
     * {@code null} when its zero point {@code -low / step} is not an integer (the value 0 would have no exact code).
     */
    public static ActivationQuantizer of(float low, float high, long levels) {
        long zeroPoint = FakeQuantize.integerZeroPoint(low, high, levels);
        if (levels < 2 || levels > 256 || zeroPoint < 0) {
            return null;
        }
        return new ActivationQuantizer(low, high, levels - 1, (int) zeroPoint, 0f);
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

    /**
     * The level ({@code code + zeroPoint}, 0..steps: the unsigned 8-bit code) of one value, exactly as the vector
     * loops compute it.
     */
    public int level(float x) {
        int bits = Float.floatToRawIntBits(Math.fma(x, inverse, offset) + ROUND);
        int lowest = Float.floatToRawIntBits(ROUND);
        return Math.min(Math.max(bits, lowest), Float.floatToRawIntBits(ROUND + steps)) - lowest;
    }

    /**
     * Packs the levels (unsigned 8-bit codes) of four rows of {@code n} values into {@code n} ints of {@code dst}:
     * byte {@code i} of {@code dst[dstOff + j]} is the level of {@code xI[oI + j]} (a channel that does not exist
     * reads a row of zeros: the value 0 and the code 0 both have the level {@code zeroPoint}). When {@code codes}, the
     * rows already hold codes ({@code level - zeroPoint}, written by the layer before) and are only shifted. This is
     * the layout the INT8 dot-product instructions read: four consecutive input channels of one position in one
     * 32-bit lane. (Written out without helpers returning vectors: C2 boxes those when it does not inline them.)
     */
    public void packQuads(float[] x0, int o0, float[] x1, int o1, float[] x2, int o2, float[] x3, int o3, int n,
                          boolean codes, int[] dst, int dstOff) {
        int bound = I.loopBound(n);
        int lowest = Float.floatToRawIntBits(ROUND);
        int highest = Float.floatToRawIntBits(ROUND + steps);
        int j = 0;
        if (codes) {
            for (; j < bound; j += I.length()) {
                IntVector a = (IntVector) FloatVector.fromArray(S, x0, o0 + j).convert(VectorOperators.F2I, 0);
                IntVector b = (IntVector) FloatVector.fromArray(S, x1, o1 + j).convert(VectorOperators.F2I, 0);
                IntVector c = (IntVector) FloatVector.fromArray(S, x2, o2 + j).convert(VectorOperators.F2I, 0);
                IntVector d = (IntVector) FloatVector.fromArray(S, x3, o3 + j).convert(VectorOperators.F2I, 0);
                a.add(zeroPoint).and(0xff).or(b.add(zeroPoint).lanewise(VectorOperators.LSHL, 8))
                        .or(c.add(zeroPoint).and(0xff).lanewise(VectorOperators.LSHL, 16))
                        .or(d.add(zeroPoint).lanewise(VectorOperators.LSHL, 24)).intoArray(dst, dstOff + j);
            }
        } else {
            for (; j < bound; j += I.length()) {
                IntVector a = FloatVector.fromArray(S, x0, o0 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector b = FloatVector.fromArray(S, x1, o1 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector c = FloatVector.fromArray(S, x2, o2 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector d = FloatVector.fromArray(S, x3, o3 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                a.sub(lowest).or(b.sub(lowest).lanewise(VectorOperators.LSHL, 8))
                        .or(c.sub(lowest).lanewise(VectorOperators.LSHL, 16))
                        .or(d.sub(lowest).lanewise(VectorOperators.LSHL, 24)).intoArray(dst, dstOff + j);
            }
        }
        // The row's last values one by one (masked vectors here made C2 box every vector of the method).
        for (; j < n; j++) {
            int a = codes ? (int) x0[o0 + j] + zeroPoint : level(x0[o0 + j]);
            int b = codes ? (int) x1[o1 + j] + zeroPoint : level(x1[o1 + j]);
            int c = codes ? (int) x2[o2 + j] + zeroPoint : level(x2[o2 + j]);
            int d = codes ? (int) x3[o3 + j] + zeroPoint : level(x3[o3 + j]);
            dst[dstOff + j] = (a & 0xff) | (b & 0xff) << 8 | (c & 0xff) << 16 | d << 24;
        }
    }

    /**
     * The levels of {@code n} values {@code x[off..]} as ints into {@code dst[dstOff..]}, exactly as {@link #packQuads}
     * computes each byte (with {@code codes}, {@code x} holds codes and the level is {@code code + zeroPoint}): the
     * rows a few-channel stem ({@link U8S8Stem}) assembles its tap quads from.
     */
    public void levels(float[] x, int off, int n, boolean codes, int[] dst, int dstOff) {
        int bound = I.loopBound(n);
        int lowest = Float.floatToRawIntBits(ROUND);
        int highest = Float.floatToRawIntBits(ROUND + steps);
        int j = 0;
        if (codes) {
            for (; j < bound; j += I.length()) {
                ((IntVector) FloatVector.fromArray(S, x, off + j).convert(VectorOperators.F2I, 0)).add(zeroPoint)
                        .and(0xff).intoArray(dst, dstOff + j);
            }
        } else {
            for (; j < bound; j += I.length()) {
                FloatVector.fromArray(S, x, off + j).fma(inverse, offset).add(ROUND).reinterpretAsInts().max(lowest)
                        .min(highest).sub(lowest).intoArray(dst, dstOff + j);
            }
        }
        for (; j < n; j++) {
            dst[dstOff + j] = codes ? (int) x[off + j] + zeroPoint & 0xff : level(x[off + j]);
        }
    }

    /**
     * The levels of {@code channels} (1–3) rows of {@code n} values of {@code x} (at {@code o0}, {@code o1},
     * {@code o2}) as the bytes of {@code n} ints of {@code dst}: byte c of {@code dst[dstOff + j]} is the level of row
     * c's value j, exactly as {@link #packQuads} computes it; the bytes past the channels are 0. With {@code codes}
     * the rows hold codes. One int per pixel of a few-channel image ({@link U8S8Stem}).
     */
    public void packBytes(float[] x, int o0, int o1, int o2, int channels, int n, boolean codes, int[] dst,
                          int dstOff) {
        if (channels == 1) {
            levels(x, o0, n, codes, dst, dstOff);
            return;
        }
        int bound = I.loopBound(n);
        int lowest = Float.floatToRawIntBits(ROUND);
        int highest = Float.floatToRawIntBits(ROUND + steps);
        int j = 0;
        if (codes) {
            for (; j < bound; j += I.length()) {
                IntVector a = (IntVector) FloatVector.fromArray(S, x, o0 + j).convert(VectorOperators.F2I, 0);
                IntVector b = (IntVector) FloatVector.fromArray(S, x, o1 + j).convert(VectorOperators.F2I, 0);
                IntVector v = a.add(zeroPoint).and(0xff).or(b.add(zeroPoint).and(0xff).lanewise(VectorOperators.LSHL, 8));
                if (channels == 3) {
                    IntVector c = (IntVector) FloatVector.fromArray(S, x, o2 + j).convert(VectorOperators.F2I, 0);
                    v = v.or(c.add(zeroPoint).and(0xff).lanewise(VectorOperators.LSHL, 16));
                }
                v.intoArray(dst, dstOff + j);
            }
        } else if (channels == 3) {
            for (; j < bound; j += I.length()) {
                IntVector a = FloatVector.fromArray(S, x, o0 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector b = FloatVector.fromArray(S, x, o1 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector c = FloatVector.fromArray(S, x, o2 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                a.sub(lowest).or(b.sub(lowest).lanewise(VectorOperators.LSHL, 8))
                        .or(c.sub(lowest).lanewise(VectorOperators.LSHL, 16)).intoArray(dst, dstOff + j);
            }
        } else {
            for (; j < bound; j += I.length()) {
                IntVector a = FloatVector.fromArray(S, x, o0 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector b = FloatVector.fromArray(S, x, o1 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                a.sub(lowest).or(b.sub(lowest).lanewise(VectorOperators.LSHL, 8)).intoArray(dst, dstOff + j);
            }
        }
        for (; j < n; j++) {
            int v = 0;
            for (int c = 0; c < channels; c++) {
                float value = x[(c == 0 ? o0 : c == 1 ? o1 : o2) + j];
                v |= (codes ? (int) value + zeroPoint & 0xff : level(value)) << (8 * c);
            }
            dst[dstOff + j] = v;
        }
    }

    /**
     * As {@link #packQuads} for two rows, each level in 16 bits: {@code dst[dstOff + j]} holds the level of
     * {@code x0[o0 + j]} in its low half and that of {@code x1[o1 + j]} in its high half (the s16 pairs that
     * {@code vpmaddwd} multiplies).
     */
    public void packPairs(float[] x0, int o0, float[] x1, int o1, int n, boolean codes, int[] dst, int dstOff) {
        int bound = I.loopBound(n);
        int lowest = Float.floatToRawIntBits(ROUND);
        int highest = Float.floatToRawIntBits(ROUND + steps);
        int j = 0;
        if (codes) {
            for (; j < bound; j += I.length()) {
                IntVector a = (IntVector) FloatVector.fromArray(S, x0, o0 + j).convert(VectorOperators.F2I, 0);
                IntVector b = (IntVector) FloatVector.fromArray(S, x1, o1 + j).convert(VectorOperators.F2I, 0);
                a.add(zeroPoint).or(b.add(zeroPoint).lanewise(VectorOperators.LSHL, 16)).intoArray(dst, dstOff + j);
            }
        } else {
            for (; j < bound; j += I.length()) {
                IntVector a = FloatVector.fromArray(S, x0, o0 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                IntVector b = FloatVector.fromArray(S, x1, o1 + j).fma(inverse, offset).add(ROUND).reinterpretAsInts()
                        .max(lowest).min(highest);
                a.sub(lowest).or(b.sub(lowest).lanewise(VectorOperators.LSHL, 16)).intoArray(dst, dstOff + j);
            }
        }
        for (; j < n; j++) {
            int a = codes ? (int) x0[o0 + j] + zeroPoint : level(x0[o0 + j]);
            int b = codes ? (int) x1[o1 + j] + zeroPoint : level(x1[o1 + j]);
            dst[dstOff + j] = a | b << 16;
        }
    }

    /**
     * Writes this quantizer's constants for output channel {@code c} into the sections of a generated INT8 epilogue's
     * table ({@link PostOps#int8EpilogueTable}), so the tiles quantize exactly as {@link #quantize} does: multiply-add,
     * add the rounding constant, clamp the bits to [lowest, highest], subtract rounding constant plus zero point.
     */
    void epilogueEntries(float[] table, int c, int channels) {
        table[PostOps.TABLE_Q_INVERSE * channels + c] = inverse;
        table[PostOps.TABLE_Q_OFFSET * channels + c] = offset;
        table[PostOps.TABLE_Q_ROUND * channels + c] = ROUND;
        table[PostOps.TABLE_Q_LOWEST * channels + c] = ROUND;
        table[PostOps.TABLE_Q_HIGHEST * channels + c] = ROUND + steps;
        table[PostOps.TABLE_Q_ROUND_ZERO * channels + c] = ROUND + zeroPoint;
    }

    /**
     * This quantizer's constants for generated code that quantizes as {@link #quantize} does, into
     * {@code dst[off..off+3]}: the multiplier, the offset of the multiply-add, the highest level's bits (rounding
     * constant plus steps) and the rounding constant plus zero point; the lowest level's bits are the rounding
     * constant itself, {@link #ROUND}.
     */
    public void jitConstants(float[] dst, int off) {
        dst[off] = inverse;
        dst[off + 1] = offset;
        dst[off + 2] = ROUND + steps;
        dst[off + 3] = ROUND + zeroPoint;
    }

    /** The rounding constant 1.5·2^23 that {@link #jitConstants} refers to. */
    public static float roundingConstant() {
        return ROUND;
    }

    /** The zero point in both halves: two channels of padding in the s16 pair form. */
    public int zeroPair() {
        return zeroPoint * 0x00010001;
    }

    /** The zero point in all four bytes: four channels of padding. */
    public int zeroQuad() {
        return zeroPoint * 0x01010101;
    }

    /** Codes of {@code n} values {@code x[xOff..]} into {@code q[qOff..]}. */
    public void quantize(float[] x, int xOff, float[] q, int qOff, int n) {
        quantize(x, xOff, 0, q, qOff, n, 1, n);
    }

    /**
     * Codes of a {@code rows × n} block of {@code x} (rows {@code xStride} apart) into rows of {@code q} that are
     * {@code qStride ≥ n} apart, each padded with code 0 up to {@code qStride}: the layout of a packed GEMM panel.
     */
    public void quantize(float[] x, int xOff, int xStride, float[] q, int qOff, int n, int rows, int qStride) {
        FloatVector vInverse = FloatVector.broadcast(S, inverse);
        FloatVector vOffset = FloatVector.broadcast(S, offset);
        FloatVector vRound = FloatVector.broadcast(S, ROUND);
        FloatVector vRoundZero = FloatVector.broadcast(S, ROUND + zeroPoint);
        IntVector vLowest = IntVector.broadcast(I, Float.floatToRawIntBits(ROUND));
        IntVector vHighest = IntVector.broadcast(I, Float.floatToRawIntBits(ROUND + steps));
        FloatVector vZero = FloatVector.zero(S);
        int gap = qStride - n;
        VectorMask<Float> gapMask = S.indexInRange(0, Math.min(gap, S.length()));
        int bound = S.loopBound(n);
        for (int row = 0; row < rows; row++) {
            int src = xOff + row * xStride;
            int dst = qOff + row * qStride;
            for (int i = 0; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, src + i).fma(vInverse, vOffset).add(vRound).reinterpretAsInts()
                        .max(vLowest).min(vHighest).reinterpretAsFloats().sub(vRoundZero).intoArray(q, dst + i);
            }
            if (bound < n) {
                // A row narrower than a vector (depthwise planes) ends in one masked vector, not a scalar loop.
                VectorMask<Float> tail = S.indexInRange(bound, n);
                FloatVector.fromArray(S, x, src + bound, tail).fma(vInverse, vOffset).add(vRound).reinterpretAsInts()
                        .max(vLowest).min(vHighest).reinterpretAsFloats().sub(vRoundZero)
                        .intoArray(q, dst + bound, tail);
            }
            if (gap == 0) {
                continue;
            }
            if (gap <= S.length() && dst + n + S.length() <= q.length) {
                // A row's padding (a depthwise buffer's two or four columns): one masked store, not a fill call.
                vZero.intoArray(q, dst + n, gapMask);
            } else {
                java.util.Arrays.fill(q, dst + n, dst + qStride, 0f);
            }
        }
    }
}
