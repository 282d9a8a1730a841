package dev.infero.testing;

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
}
