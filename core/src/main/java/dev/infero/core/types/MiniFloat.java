package dev.infero.core.types;

import java.util.Arrays;

/**
 * The 8- and 4-bit floating formats of ONNX (and OpenVINO's f8e4m3 / f8e5m2 / f4e2m1): one code per byte, decoded
 * through a table and encoded by rounding to the nearest representable value, ties to the even code (IEEE's
 * round-to-nearest-even), as ONNX's Cast specifies.
 * <ul>
 *   <li>{@code E4M3FN}: bias 7, no infinities, NaN {@code S.1111.111}, max 448;</li>
 *   <li>{@code E4M3FNUZ}: bias 8, no infinities, no negative zero, NaN {@code 0x80}, max 240;</li>
 *   <li>{@code E5M2}: bias 15, IEEE-like with infinities ({@code 0x7C}) and NaNs, max 57344;</li>
 *   <li>{@code E5M2FNUZ}: bias 16, no infinities, no negative zero, NaN {@code 0x80}, max 57344;</li>
 *   <li>{@code E2M1} (float4e2m1, in the low nibble): bias 1, values 0, 0.5, 1, 1.5, 2, 3, 4, 6, no NaN or
 *       infinity (NaN converts to -0, as ONNX's reference implementation does).</li>
 * </ul>
 * Saturating conversion (ONNX's default) takes values beyond the largest finite one, infinities included, to that
 * value; without saturation they become infinity where the format has it, else NaN.
 */
public enum MiniFloat {
    E4M3FN(4, 3, 7, false, false),
    E4M3FNUZ(4, 3, 8, false, true),
    E5M2(5, 2, 15, true, false),
    E5M2FNUZ(5, 2, 16, false, true),
    E2M1(2, 1, 1, false, false);

    private final int codes;
    private final int signBit;
    private final boolean infinities;
    private final boolean unsignedZero;
    private final float[] decoded;
    /** The non-negative finite values in increasing order, and their codes. */
    private final float[] magnitudes;
    private final int[] magnitudeCodes;
    private final int nanCode;
    private final int infinityCode;

    MiniFloat(int exponentBits, int mantissaBits, int bias, boolean infinities, boolean unsignedZero) {
        int bits = 1 + exponentBits + mantissaBits;
        this.codes = 1 << bits;
        this.signBit = 1 << (bits - 1);
        this.infinities = infinities;
        this.unsignedZero = unsignedZero;
        int maxExponent = (1 << exponentBits) - 1;
        decoded = new float[codes];
        for (int code = 0; code < codes; code++) {
            int exponent = (code >> mantissaBits) & maxExponent;
            int mantissa = code & ((1 << mantissaBits) - 1);
            boolean negative = (code & signBit) != 0;
            double value = exponent == 0 ? Math.scalb((double) mantissa, 1 - bias - mantissaBits)
                    : Math.scalb(1.0 + (double) mantissa / (1 << mantissaBits), exponent - bias);
            float v = (float) (negative ? -value : value);
            if (unsignedZero) { // FNUZ: 0x80 is NaN, there is no negative zero
                if (code == signBit) {
                    v = Float.NaN;
                }
            } else if (infinities && exponent == maxExponent) {
                v = mantissa == 0 ? (negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY) : Float.NaN;
            } else if (bits == 8 && !infinities && exponent == maxExponent && mantissa == (1 << mantissaBits) - 1) {
                v = Float.NaN; // E4M3FN: S.1111.111
            }
            decoded[code] = v;
        }
        int count = 0;
        float[] mags = new float[codes];
        int[] magCodes = new int[codes];
        for (int code = 0; code < signBit; code++) {
            if (Float.isFinite(decoded[code])) {
                mags[count] = decoded[code];
                magCodes[count++] = code;
            }
        }
        magnitudes = Arrays.copyOf(mags, count);
        magnitudeCodes = Arrays.copyOf(magCodes, count);
        nanCode = bits == 4 ? -1 : unsignedZero ? signBit : infinities ? 0x7F : 0x7F;
        infinityCode = infinities ? 0x7C : -1;
    }

    /** The value of {@code code} (its low 4 or 8 bits). */
    public float decode(int code) {
        return decoded[code & (codes - 1)];
    }

    /** The largest finite value. */
    public float max() {
        return magnitudes[magnitudes.length - 1];
    }

    /** The code nearest to {@code v}, ties to the even code. */
    public int encode(double v, boolean saturate) {
        if (Double.isNaN(v)) {
            return nanCode >= 0 ? nanCode : signBit; // E2M1 has no NaN: ONNX's reference casts it to -0
        }
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        double a = Math.abs(v);
        int last = magnitudes.length - 1;
        int code;
        if (a > max()) {
            // Beyond the largest finite value: it rounds back to it below the midpoint to the next (virtual) step.
            double step = magnitudes[last] - magnitudes[last - 1];
            double midpoint = magnitudes[last] + step / 2;
            boolean roundsDown = a < midpoint || (a == midpoint && (magnitudeCodes[last] & 1) == 0);
            if (Double.isInfinite(a) || !roundsDown) {
                if (saturate || nanCode < 0) {
                    code = magnitudeCodes[last];
                } else if (infinities) {
                    code = infinityCode;
                } else {
                    return nanCode;
                }
            } else {
                code = magnitudeCodes[last];
            }
        } else {
            int i = Arrays.binarySearch(magnitudes, (float) a);
            if (i >= 0 && magnitudes[i] == a) {
                code = magnitudeCodes[i];
            } else {
                int hi = i >= 0 ? i + 1 : -i - 1;
                // binarySearch on the float-rounded value: find the bracketing pair on the exact double
                while (hi > 0 && magnitudes[hi - 1] > a) {
                    hi--;
                }
                while (hi <= last && magnitudes[hi] < a) {
                    hi++;
                }
                int lo = hi - 1;
                double down = a - magnitudes[lo];
                double up = magnitudes[hi] - a;
                code = down < up ? magnitudeCodes[lo] : up < down ? magnitudeCodes[hi]
                        : (magnitudeCodes[lo] & 1) == 0 ? magnitudeCodes[lo] : magnitudeCodes[hi];
            }
        }
        if (negative && !(unsignedZero && code == 0)) {
            code |= signBit;
        }
        return code;
    }
}
