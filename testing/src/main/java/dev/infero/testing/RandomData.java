package dev.infero.testing;

import dev.infero.core.tensor.Tensor;
import java.util.Random;

/** Random test inputs drawn from a seeded generator, so a failing case can be rerun. */
public final class RandomData {
    private RandomData() {
    }

    /** {@code n} floats uniform in [-1, 1). */
    public static float[] uniform(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() * 2 - 1;
        }
        return f;
    }

    /** An f32 tensor of {@code shape}, uniform in [-1, 1). */
    public static Tensor tensor(Random r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.of(uniform(r, n), shape);
    }

    /** {@code n} floats drawn from a normal distribution with mean 0 and standard deviation {@code scale}. */
    public static float[] normalValues(Random r, float scale, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian() * scale;
        }
        return f;
    }

    /** An f32 tensor of {@code shape}, normal with mean 0 and standard deviation {@code scale} (random weights). */
    public static Tensor normal(Random r, float scale, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.of(normalValues(r, scale, n), shape);
    }
}
