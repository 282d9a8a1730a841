package dev.infero.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.infero.core.tensor.Tensor;

/** Tensor comparisons for tests, with failure messages that show where and by how much values differ. */
public final class TensorAssert {
    private TensorAssert() {
    }

    /** |actual - expected| <= atol + rtol * |expected| element-wise, same shape; NaN matches NaN. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        int worst = -1;
        double worstExcess = 0;
        int bad = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            if (Double.isNaN(e) && Double.isNaN(a) || e == a) {
                continue;
            }
            double excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
            if (!(excess <= 0)) {
                bad++;
                if (worst < 0 || excess > worstExcess || Double.isNaN(excess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(bad + " of " + expected.size() + " elements differ beyond rtol " + rtol + ", atol " + atol
                    + "; worst at flat index " + worst + ": expected " + expected.getDouble(worst) + ", got "
                    + actual.getDouble(worst));
        }
    }

    /** Largest absolute difference between two tensors of the same shape. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape(), "shape");
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getDouble(i) - b.getDouble(i)));
        }
        return m;
    }

    /**
     * One of the 255 steps of {@code reference}'s value range (at least 1e-6 / 255): the unit in which INT8 results
     * are compared with float ones.
     */
    public static float int8Step(float[] reference) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : reference) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return Math.max(hi - lo, 1e-6f) / 255;
    }
}
