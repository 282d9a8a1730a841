package dev.infero.core.types;

import java.util.Locale;

/**
 * The OCP Microscaling (MX) scale type float8e8m0 (ONNX FLOAT8E8M0, OpenVINO f8e8m0): a bare 8-bit exponent with
 * bias 127, so code {@code c} is {@code 2^(c - 127)}; no sign, no zero, {@code 0xFF} is NaN. A conversion to it keeps
 * a float's exponent and rounds away its mantissa as ONNX Cast's {@code round_mode} says ({@link Rounding}); the
 * input is first rounded to float32, as ONNX's reference does. Infinities and NaN become NaN.
 */
public final class E8M0 {
    /** The largest exponent code of a finite value. */
    private static final int MAX_CODE = 0xFE;
    private static final int NAN_CODE = 0xFF;

    private E8M0() {
    }

    /** ONNX Cast's {@code round_mode} for float8e8m0 targets. */
    public enum Rounding {
        /** Any mantissa rounds the magnitude up to the next power of two (ONNX's default). */
        UP,
        /** The mantissa is dropped. */
        DOWN,
        /** To the nearest power of two by the float's guard, round and sticky bits, ties up. */
        NEAREST;

        /** The ONNX / IR spelling: up, down, nearest. */
        public String attributeValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The value of {@code code} (its low 8 bits). */
    public static float decode(int code) {
        int c = code & 0xFF;
        return c == NAN_CODE ? Float.NaN : (float) Math.scalb(1.0, c - 127);
    }

    /**
     * The code of {@code v}'s magnitude. With {@code saturate} a rounding that would pass the largest exponent stays
     * there; without it that becomes NaN.
     */
    public static int encode(double v, boolean saturate, Rounding rounding) {
        int bits = Float.floatToRawIntBits((float) v);
        int exponent = (bits >>> 23) & 0xFF;
        if (exponent == 0xFF) {
            return NAN_CODE;
        }
        boolean roundUp = switch (rounding) {
            case UP -> (bits & 0x7FFFFF) != 0;
            case DOWN -> false;
            case NEAREST -> {
                boolean guard = (bits & 0x400000) != 0;
                boolean round = (bits & 0x200000) != 0;
                boolean sticky = (bits & 0x1FFFFF) != 0;
                yield guard && (round || sticky || exponent > 0);
            }
        };
        if (roundUp && !(saturate && exponent == MAX_CODE)) {
            exponent++;
        }
        return exponent;
    }
}
