package dev.infero.cli.conformance;

import dev.infero.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Compares an output with its reference the way the ONNX backend runner does: same element type, same shape, and
 * values within a {@link Tolerance} for floating types (NaN matches NaN, an infinity only the same infinity), exactly
 * equal for integer and boolean types.
 */
public final class OutputComparator {
    private OutputComparator() {
    }

    /** {@code null} when {@code actual} matches {@code expected}, otherwise a one-line description of the mismatch. */
    public static String mismatch(Tensor expected, Tensor actual, Tolerance tolerance) {
        if (actual.type() != expected.type()) {
            return "type " + actual.type() + ", expected " + expected.type();
        }
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return "shape " + shape(actual.shape()) + ", expected " + shape(expected.shape());
        }
        return expected.type().isFloating() ? floatMismatch(expected, actual, tolerance) : exactMismatch(expected, actual);
    }

    private static String floatMismatch(Tensor expected, Tensor actual, Tolerance tol) {
        int bad = 0;
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            if (e == a || Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            double excess = Math.abs(a - e) - (tol.atol() + tol.rtol() * Math.abs(e));
            if (!(excess <= 0)) { // also catches NaN and infinities on one side only
                bad++;
                if (worst < 0 || !(excess <= worstExcess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad == 0) {
            return null;
        }
        return bad + " of " + expected.size() + " values differ beyond rtol " + tol.rtol() + ", atol " + tol.atol()
                + "; worst at " + index(expected.shape(), worst) + ": got " + value(actual, worst) + ", expected "
                + value(expected, worst);
    }

    private static String exactMismatch(Tensor expected, Tensor actual) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < expected.size(); i++) {
            if (expected.getLong(i) != actual.getLong(i)) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad == 0) {
            return null;
        }
        return bad + " of " + expected.size() + " values differ; first at " + index(expected.shape(), first) + ": got "
                + actual.getLong(first) + ", expected " + expected.getLong(first);
    }

    /** A floating element in its own precision: f32 2e-7 prints as {@code 2.0E-7}, not its double expansion. */
    private static String value(Tensor t, int i) {
        double v = t.getDouble(i);
        return t.type().bits() == 64 ? Double.toString(v) : Float.toString((float) v);
    }

    /** The multi-dimensional index of flat position {@code flat}: {@code [0,2,1]}. */
    static String index(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return shape(idx);
    }

    private static String shape(int[] dims) {
        return Arrays.toString(dims).replace(" ", "");
    }
}
