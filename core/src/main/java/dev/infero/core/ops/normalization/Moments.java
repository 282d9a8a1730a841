package dev.infero.core.ops.normalization;

import dev.infero.core.ops.reduce.ReductionLoop;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

/**
 * Mean and variance (biased: divided by the count) of a tensor over a set of axes, in double, plus the output pass
 * that writes {@code (x - mean) * scale} for a per-group scale. MVN and the normalizations built on it share it.
 */
final class Moments {
    final double[] mean;
    final double[] variance;
    private final double[] x;
    private final ReductionLoop loop;

    Moments(Tensor in, boolean[] reduced) {
        this.x = doubles(in);
        this.loop = new ReductionLoop(in.shape(), reduced);
        int groups = loop.outSize();
        long count = loop.reducedCount();
        mean = new double[groups];
        variance = new double[groups];
        loop.forEachRow((i, o, step, len) -> {
            for (int k = 0; k < len; k++) {
                mean[o + k * step] += x[i + k];
            }
        });
        for (int g = 0; g < groups; g++) {
            mean[g] /= count;
        }
        loop.forEachRow((i, o, step, len) -> {
            for (int k = 0; k < len; k++) {
                double d = x[i + k] - mean[o + k * step];
                variance[o + k * step] += d * d;
            }
        });
        for (int g = 0; g < groups; g++) {
            variance[g] /= count;
        }
    }

    /** Writes {@code (x - mean[g]) * scale[g]} for every element, g being the element's group. */
    void normalize(double[] scale, Tensor out) {
        if (out.type() == ElementType.F32) {
            float[] z = out.floats();
            loop.forEachRow((i, o, step, len) -> {
                for (int k = 0; k < len; k++) {
                    z[i + k] = (float) ((x[i + k] - mean[o + k * step]) * scale[o + k * step]);
                }
            });
        } else {
            loop.forEachRow((i, o, step, len) -> {
                for (int k = 0; k < len; k++) {
                    out.setDouble(i + k, (x[i + k] - mean[o + k * step]) * scale[o + k * step]);
                }
            });
        }
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[t.size()];
        if (t.type() == ElementType.F32) {
            float[] f = t.floats();
            for (int i = 0; i < d.length; i++) {
                d[i] = f[i];
            }
        } else {
            for (int i = 0; i < d.length; i++) {
                d[i] = t.getDouble(i);
            }
        }
        return d;
    }
}
