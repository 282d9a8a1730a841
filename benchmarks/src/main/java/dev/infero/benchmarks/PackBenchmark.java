package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ActivationQuantizer;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The packing of activations into the INT8 layers' lanes ({@link ActivationQuantizer#packQuads} for the
 * dot-product instructions, {@link ActivationQuantizer#packPairs} for the s16 pairs), from values and from codes,
 * for 64 rows of {@code n} values (a plane of {@code n} pixels, 64 channels), 1 thread. {@code -prof gc} shows that
 * it allocates nothing (no vector is boxed).
 */
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class PackBenchmark extends MicroBenchmark {
    private static final int ROWS = 64;

    @Param({"56", "3136"})
    public int n;
    @Param({"false", "true"})
    public boolean codes;

    private float[] x;
    private int[] dst;
    private ActivationQuantizer q;

    @Setup
    public void setup() {
        q = ActivationQuantizer.of(-2f, 191f / 32, 256);
        Random r = new Random(1);
        x = new float[ROWS * n];
        for (int i = 0; i < x.length; i++) {
            float v = (float) r.nextGaussian() * 2;
            x[i] = codes ? q.level(v) - q.zeroPoint() : v;
        }
        dst = new int[ROWS / 2 * n];
    }

    @Benchmark
    public int[] quads() {
        for (int k = 0; k < ROWS; k += 4) {
            q.packQuads(x, k * n, x, (k + 1) * n, x, (k + 2) * n, x, (k + 3) * n, n, codes, dst, k / 4 * n);
        }
        return dst;
    }

    @Benchmark
    public int[] pairs() {
        for (int k = 0; k < ROWS; k += 2) {
            q.packPairs(x, k * n, x, (k + 1) * n, n, codes, dst, k / 2 * n);
        }
        return dst;
    }

}
