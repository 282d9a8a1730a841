package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Convolution kernels on typical CNN layer shapes, 1 and 2 threads: 3×3 and 1×1 (GFLOPS = 2·MACs / time) and
 * depthwise 3×3 (memory-bound; GB/s = (input + output bytes) / time). Shapes are {@code CxHxW->Cout}, stride 1,
 * "same" padding. {@code benchmarks/run.sh} converts the times.
 */
public class ConvBenchmark extends ConvLayerBenchmark {
    @Param({"conv3x3:64x56x56->64", "conv3x3:128x28x28->128", "conv3x3:256x14x14->256", "conv3x3:512x7x7->512",
            "conv1x1:64x56x56->256", "conv1x1:512x14x14->512", "conv1x1:2048x7x7->512", "conv1x1:512x7x7->2048",
            "depthwise3x3:32x112x112", "depthwise3x3:96x64x64"})
    public String layer;
    @Param({"1", "2"})
    public int threads;

    private ConvKernel conv;
    private ConvKernel.Scratch convScratch;
    private WindowKernel depthwise;
    private WindowKernel.Scratch depthwiseScratch;

    @Setup
    public void setup() {
        ConvGeometry g = open(layer, threads, "conv");
        boolean dw = g.groups() > 1;
        Random r = new Random(1);
        in = random(r, g.inChannels() * g.inH() * g.inW());
        float[] weights = random(r, g.outChannels() * g.patchSize());
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
