package dev.infero.benchmarks;

import dev.infero.cpu.kernels.Sgemm;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * SGEMM throughput on 1 and 2 threads. GFLOPS = 2·M·N·K / time; the report prints time per call, see
 * {@code benchmarks/run.sh}, which converts. Shapes: square, and the skinny ones CNN layers produce
 * (M = output channels, N = output pixels, K = input channels × kernel area).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "64x3136x576", "256x196x2304", "24x4096x27",
            "128x784x128"})
    public String shape;

    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    @Param({"1", "2"})
    public int threads;

    private Sgemm.Workspace[] ws;
    private WorkerPool pool;

    @Setup
    public void setup() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        pool = new WorkerPool(threads, "gemm");
        ws = new Sgemm.Workspace[threads];
        for (int i = 0; i < threads; i++) {
            ws[i] = new Sgemm.Workspace();
        }
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat();
        }
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public void sgemm(Blackhole bh) {
        Sgemm.multiply(m, n, k, a, 0, k, b, 0, n, c, 0, n, false, ws, pool);
        bh.consume(c);
    }
}
