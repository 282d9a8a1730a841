package dev.infero.core.ops.nn;

import dev.infero.core.InferoException;
import java.util.Arrays;

/**
 * The sliding-window arithmetic shared by convolutions and pooling, per spatial dimension: strides, dilations,
 * explicit padding (or an {@link AutoPad} mode that derives it from the input size) and floor/ceil rounding of the
 * output size. Immutable; arrays are copied in and never exposed for writing.
 */
public record WindowGeometry(long[] strides, long[] dilations, long[] padsBegin, long[] padsEnd, AutoPad autoPad,
                             boolean ceil) {
    public WindowGeometry {
        int n = strides.length;
        if (dilations.length != n || padsBegin.length != n || padsEnd.length != n) {
            throw new InferoException("strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations)
                    + ", pads_begin " + Arrays.toString(padsBegin) + " and pads_end " + Arrays.toString(padsEnd)
                    + " must have one value per spatial dimension");
        }
        for (int i = 0; i < n; i++) {
            if (strides[i] < 1 || dilations[i] < 1 || padsBegin[i] < 0 || padsEnd[i] < 0) {
                throw new InferoException("invalid window: strides " + Arrays.toString(strides) + ", dilations "
                        + Arrays.toString(dilations) + ", pads " + Arrays.toString(padsBegin) + "/"
                        + Arrays.toString(padsEnd));
            }
        }
        strides = strides.clone();
        dilations = dilations.clone();
        padsBegin = padsBegin.clone();
        padsEnd = padsEnd.clone();
    }

    public int rank() {
        return strides.length;
    }

    /** The padding actually applied at the start of dimension {@code i} for input size {@code in}. */
    public int padBegin(int i, int in, int kernel) {
        return switch (autoPad) {
            case SAME_UPPER -> samePad(i, in, kernel) / 2;
            case SAME_LOWER -> (samePad(i, in, kernel) + 1) / 2;
            case VALID -> 0;
            default -> (int) padsBegin[i];
        };
    }

    public int padEnd(int i, int in, int kernel) {
        return switch (autoPad) {
            case SAME_UPPER, SAME_LOWER -> samePad(i, in, kernel) - padBegin(i, in, kernel);
            case VALID -> 0;
            default -> (int) padsEnd[i];
        };
    }

    private int samePad(int i, int in, int kernel) {
        int out = (int) ((in + strides[i] - 1) / strides[i]);
        long needed = (out - 1) * strides[i] + (kernel - 1) * dilations[i] + 1 - in;
        return (int) Math.max(0, needed);
    }

    /** Output size of dimension {@code i}; ceil rounding never starts a window entirely in the end padding. */
    public int outputSize(int i, int in, int kernel) {
        if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
            return (int) ((in + strides[i] - 1) / strides[i]);
        }
        long pb = padBegin(i, in, kernel);
        long span = in + pb + padEnd(i, in, kernel) - (long) (kernel - 1) * dilations[i] - 1;
        if (span < 0) {
            throw new InferoException("the window (kernel " + kernel + ", dilation " + dilations[i]
                    + ") is larger than the padded input (" + in + ") in spatial dimension " + i);
        }
        long out = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
        if (ceil && (out - 1) * strides[i] >= in + pb) {
            out--;
        }
        return (int) out;
    }

    /**
     * Output size of pooling dimension {@code i}, as ONNX Runtime computes it: {@link #outputSize} unless the window
     * is larger than the padded input (tiny dynamic sizes). Then ONNX Runtime's {@code span / stride + 1} (integer
     * division toward zero; ceil rounding: rounded up) gives 1 window when the window is less than a stride too
     * large, else 0; two strides or more too large gives a negative size, an error there as here.
     */
    public int poolOutputSize(int i, int in, int kernel) {
        if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
            return outputSize(i, in, kernel);
        }
        long pb = padBegin(i, in, kernel);
        long span = in + pb + padEnd(i, in, kernel) - (long) (kernel - 1) * dilations[i] - 1;
        if (span >= 0 || span <= -2 * strides[i]) {
            return outputSize(i, in, kernel);
        }
        return span > -strides[i] && in + pb > 0 ? 1 : 0;
    }

    /** Whether any dilation is not 1. */
    public boolean isDilated() {
        return Arrays.stream(dilations).anyMatch(d -> d != 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowGeometry w && Arrays.equals(strides, w.strides) && Arrays.equals(dilations, w.dilations)
                && Arrays.equals(padsBegin, w.padsBegin) && Arrays.equals(padsEnd, w.padsEnd) && autoPad == w.autoPad
                && ceil == w.ceil;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(strides) * 31 + Arrays.hashCode(padsBegin);
    }
}
