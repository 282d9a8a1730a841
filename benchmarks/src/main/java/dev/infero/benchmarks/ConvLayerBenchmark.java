package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.parallel.WorkerPool;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the convolution benchmarks share: the layer spec {@code kind:CxHxW->Cout} (kind {@code conv3x3},
 * {@code conv1x1} or {@code depthwise3x3}, which has no {@code ->Cout}), stride 1 with "same" padding, read into a
 * geometry; the input and output buffers; the worker pool, closed after the trial.
 */
public abstract class ConvLayerBenchmark extends MicroBenchmark {
    protected float[] in;
    protected float[] out;
    protected WorkerPool pool;

    /** The geometry of {@code layer}; allocates {@code out} for it and starts a pool of {@code threads} workers. */
    protected ConvGeometry open(String layer, int threads, String poolName) {
        String[] kindAndShape = layer.split(":");
        String[] io = kindAndShape[1].split("->");
        String[] d = io[0].split("x");
        int c = Integer.parseInt(d[0]);
        int h = Integer.parseInt(d[1]);
        int w = Integer.parseInt(d[2]);
        boolean dw = kindAndShape[0].startsWith("depthwise");
        int k = kindAndShape[0].contains("3x3") ? 3 : 1;
        int cout = dw ? c : Integer.parseInt(io[1]);
        out = new float[cout * h * w];
        pool = new WorkerPool(threads, poolName);
        return new ConvGeometry(1, c, h, w, cout, h, w, k, k, 1, 1, 1, 1, k / 2, k / 2, dw ? c : 1);
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }
}
