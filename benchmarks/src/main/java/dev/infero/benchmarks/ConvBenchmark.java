package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
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

/**
 * Convolution kernels on typical CNN layer shapes, 1 and 2 threads: 3×3 and 1×1 (GFLOPS = 2·MACs / time) and
 * depthwise 3×3 (memory-bound; GB/s = (input + output bytes) / time). Shapes are {@code CxHxW->Cout}, stride 1,
 * "same" padding. {@code benchmarks/run.sh} converts the times.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {
    @Param({"conv3x3:64x56x56->64", "conv3x3:128x28x28->128", "conv3x3:256x14x14->256", "conv3x3:512x7x7->512",
            "conv1x1:64x56x56->256", "conv1x1:512x14x14->512", "depthwise3x3:32x112x112", "depthwise3x3:96x64x64"})
    public String layer;
    @Param({"1", "2"})
    public int threads;

    private float[] in;
    private float[] out;
    private ConvKernel conv;
    private ConvKernel.Scratch convScratch;
    private WindowKernel depthwise;
    private WindowKernel.Scratch depthwiseScratch;
    private WorkerPool pool;

    @Setup
    public void setup() {
        String[] kindAndShape = layer.split(":");
        String[] io = kindAndShape[1].split("->");
        String[] d = io[0].split("x");
        int c = Integer.parseInt(d[0]);
        int h = Integer.parseInt(d[1]);
        int w = Integer.parseInt(d[2]);
        boolean dw = kindAndShape[0].startsWith("depthwise");
        int k = kindAndShape[0].contains("3x3") ? 3 : 1;
        int cout = dw ? c : Integer.parseInt(io[1]);
        ConvGeometry g = new ConvGeometry(1, c, h, w, cout, h, w, k, k, 1, 1, 1, 1, k / 2, k / 2, dw ? c : 1);
        Random r = new Random(1);
        in = random(r, c * h * w);
        out = new float[cout * h * w];
        float[] weights = random(r, cout * (dw ? 1 : c) * k * k);
        pool = new WorkerPool(threads, "conv");
        if (dw) {
            depthwise = WindowKernel.depthwise(g, weights, PostOps.NONE);
            depthwiseScratch = depthwise.newScratch(threads);
        } else {
            conv = new ConvKernel(g, weights, PostOps.NONE);
            convScratch = conv.newScratch(threads);
        }
    }

    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat();
        }
        return f;
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float[] convolution() {
        if (conv != null) {
            conv.run(in, out, null, convScratch, pool);
        } else {
            depthwise.run(in, out, null, depthwiseScratch, pool);
        }
        return out;
    }
}
