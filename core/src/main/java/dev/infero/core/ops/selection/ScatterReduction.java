package dev.infero.core.ops.selection;

import dev.infero.core.tensor.Tensor;
import java.util.Locale;

/**
 * How a scatter op combines an update with the value already at its target ({@code reduction} attribute of
 * ScatterElementsUpdate-12 and ScatterNDUpdate-15). {@link #MEAN} accumulates like {@link #SUM}; the op divides.
 */
enum ScatterReduction {
    NONE, SUM, SUB, PROD, MIN, MAX, MEAN;

    static ScatterReduction parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scatter reduction '" + name + "'");
        }
    }

    String irName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code out[i] = combine(out[i], updates[j])}, in the exact arithmetic of the element type. */
    void apply(Tensor out, int i, Tensor updates, int j) {
        if (this == NONE) {
            updates.copyElement(j, out, i);
        } else if (out.type().isFloating()) {
            double a = out.getDouble(i);
            double b = updates.getDouble(j);
            out.setDouble(i, switch (this) {
                case SUM, MEAN -> a + b;
                case SUB -> a - b;
                case PROD -> a * b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
                case NONE -> b;
            });
        } else {
            long a = out.getLong(i);
            long b = updates.getLong(j);
            out.setLong(i, switch (this) {
                case SUM, MEAN -> a + b;
                case SUB -> a - b;
                case PROD -> a * b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
                case NONE -> b;
            });
        }
    }
}
