package dev.infero.cli.io;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.math.BigDecimal;
import java.math.MathContext;

/** Human-readable tensors: summary statistics and numpy-style nested printing, abbreviated for big tensors. */
public final class TensorText {
    /** Like numpy's print options: above this many elements only the first and last few of each axis are shown. */
    static final int THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;
    private static final MathContext SIGNIFICANT = new MathContext(6);

    private TensorText() {
    }

    /** {@code min=0.1 max=3 mean=1.2}, plus the NaN count when there are any. Empty tensors have no statistics. */
    public static String stats(Tensor t) {
        if (t.size() == 0) {
            return "(empty)";
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int nans = 0;
        for (int i = 0; i < t.size(); i++) {
            double v = t.getDouble(i);
            if (Double.isNaN(v)) {
                nans++;
                continue;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        if (nans == t.size()) {
            return "all " + nans + " values are NaN";
        }
        String s = "min=" + number(min) + " max=" + number(max) + " mean=" + number(sum / (t.size() - nans));
        return nans == 0 ? s : s + " (" + nans + " NaN)";
    }

    /** numpy-like text: {@code [[1, 2], [3, 4]]} over lines, {@code ...} where a big tensor is abbreviated. */
    public static String format(Tensor t) {
        if (t.rank() == 0) {
            return element(t, 0);
        }
        boolean summarize = t.size() > THRESHOLD;
        int[] strides = Shapes.strides(t.shape());
        int width = widest(t, 0, 0, strides, summarize);
        StringBuilder sb = new StringBuilder();
        append(sb, t, 0, 0, strides, summarize, width);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Tensor t, int dim, int offset, int[] strides, boolean summarize,
            int width) {
        int n = t.dim(dim);
        boolean abbreviate = summarize && n > 2 * EDGE_ITEMS;
        boolean last = dim == t.rank() - 1;
        String separator = last ? ", " : ",\n" + "\n".repeat(Math.max(0, t.rank() - dim - 2)) + " ".repeat(dim + 1);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (abbreviate && i == EDGE_ITEMS) {
                sb.append("...").append(separator);
                i = n - EDGE_ITEMS;
            }
            if (last) {
                String e = element(t, offset + i * strides[dim]);
                sb.append(" ".repeat(width - e.length())).append(e);
            } else {
                append(sb, t, dim + 1, offset + i * strides[dim], strides, summarize, width);
            }
            if (i < n - 1) {
                sb.append(separator);
            }
        }
        sb.append(']');
    }

    /** Length of the longest element that {@link #append} will print. */
    private static int widest(Tensor t, int dim, int offset, int[] strides, boolean summarize) {
        int n = t.dim(dim);
        boolean abbreviate = summarize && n > 2 * EDGE_ITEMS;
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (abbreviate && i == EDGE_ITEMS) {
                i = n - EDGE_ITEMS;
            }
            int at = offset + i * strides[dim];
            w = Math.max(w, dim == t.rank() - 1 ? element(t, at).length() : widest(t, dim + 1, at, strides, summarize));
        }
        return w;
    }

    private static String element(Tensor t, int i) {
        if (t.type() == ElementType.BOOLEAN) {
            return t.getLong(i) != 0 ? "True" : "False";
        }
        if (t.type().isFloating()) {
            return number(t.getDouble(i));
        }
        return t.type() == ElementType.U64 ? Long.toUnsignedString(t.getLong(i)) : Long.toString(t.getLong(i));
    }

    /** Up to six significant digits, plain between 1e-4 and 1e6, scientific otherwise. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return Double.compare(v, 0.0) == 0 ? "0" : "-0";
        }
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e6) {
            return new BigDecimal(v).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
        }
        return String.format(java.util.Locale.ROOT, "%.5e", v).replaceFirst("\\.?0+e", "e");
    }
}
