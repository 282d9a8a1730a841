package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;
import java.util.Random;

/**
 * How whole FP32 convolution layers ({@link ConvKernel}) scale from 1 to 2 threads: per round, each layer runs
 * {@code reps} times on a 1-thread pool, then as often on a 2-thread pool (polling workers, as inside an inference),
 * in one JVM, so load from other processes falls on both alike. Per layer: the strategy, the best and median wall time
 * of each and the speed-up 1T/2T (best and median; 2 is perfect scaling); then the CPU time of a 2-thread run with
 * the worker parking between runs (the caller's plus the worker's, which then counts little besides its items)
 * against the 1-thread CPU time, medians: above 1 when the 2-thread split duplicates work (each part packing the same
 * panels, streaming the same weights) or the threads slow each other down. On a loaded machine the worker often
 * does not get a core in time and the caller runs every item itself: the CPU ratio still prices the split (the
 * items are cut for 2 threads before either runs), the wall times no longer show it. Layers as in {@link ConvCpuTime} ({@code CxHxW->Cout/kKsS[+post...]}). Usage: {@code java -cp
 * <benchmarks classpath> dev.infero.benchmarks.ConvScaling [-Drounds=9] [-Dreps=5] [-Dimpl=jit_avx512] [layer ...]}.
 */
public final class ConvScaling {
    /** ResNet-50's heavy dense layers and a few detector shapes. */
    private static final String[] DEFAULT_LAYERS = {"3x224x224->64/k7s2+bn+relu", "64x56x56->64/k1s1+bn+relu",
        "64x56x56->64/k3s1+bn+relu", "64x56x56->256/k1s1+bn", "256x56x56->64/k1s1+bn+relu",
        "256x56x56->128/k1s1+bn+relu", "128x56x56->128/k3s2+bn+relu", "128x28x28->512/k1s1+bn+add+relu",
        "512x28x28->128/k1s1+bn+relu", "128x28x28->128/k3s1+bn+relu", "256x28x28->256/k3s2+bn+relu",
        "512x28x28->256/k1s1+bn+relu", "256x14x14->256/k3s1+bn+relu", "256x14x14->1024/k1s1+bn+add+relu",
        "1024x14x14->256/k1s1+bn+relu", "512x14x14->512/k3s2+bn+relu", "512x7x7->512/k3s1+bn+relu",
        "512x7x7->2048/k1s1+bn+add+relu", "2048x7x7->512/k1s1+bn+relu"};

    private ConvScaling() {
    }

    public static void main(String[] args) throws Throwable {
        int rounds = Integer.getInteger("rounds", 9);
        int reps = Integer.getInteger("reps", 5);
        String impl = System.getProperty("impl", "jit_avx512");
        Jit.Isa isa = switch (impl) {
            case "jit_avx512" -> Jit.Isa.AVX512;
            case "jit_avx2" -> Jit.Isa.AVX2;
            default -> null;
        };
        String[] layers = args.length > 0 ? args : DEFAULT_LAYERS;
        Random r = new Random(1);
        try (WorkerPool one = new WorkerPool(1, "scaling-one"); WorkerPool two = new WorkerPool(2, "scaling-two")) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long worker = -1;
            for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith("scaling-two-worker")) {
                    worker = info.getThreadId();
                }
            }
            int n = layers.length;
            ConvKernel[] convs = new ConvKernel[n];
            ConvKernel.Scratch[] scratch = new ConvKernel.Scratch[n];
            float[][] ins = new float[n][];
            float[][] outs = new float[n][];
            float[][] residuals = new float[n][];
            for (int l = 0; l < n; l++) {
                ConvGeometry g = ConvCpuTime.geometry(layers[l]);
                ins[l] = random(r, g.inChannels() * g.inH() * g.inW());
                outs[l] = new float[g.outChannels() * g.outH() * g.outW()];
                residuals[l] = random(r, outs[l].length);
                convs[l] = new ConvKernel(g, random(r, g.outChannels() * g.patchSize()),
                        ConvCpuTime.post(layers[l], r, g.outChannels()), MicroKernel.of(isa),
                        isa == null || Jit.switchedOff("direct") ? null : isa);
                scratch[l] = convs[l].newScratch(2);
            }
            long[][] wall1 = new long[n][rounds * reps];
            long[][] wall2 = new long[n][rounds * reps];
            long[][] cpu1 = new long[n][rounds * reps];
            long[][] cpu2 = new long[n][rounds * reps];
            for (int round = -Integer.getInteger("warmup", 4); round < rounds; round++) {
                for (int l = 0; l < n; l++) {
                    for (int side = 0; side < 3; side++) {
                        WorkerPool pool = side == 0 ? one : two;
                        if (side == 1) {
                            pool.begin();
                        }
                        try {
                            for (int rep = 0; rep < reps; rep++) {
                                long c0 = mx.getCurrentThreadCpuTime();
                                long w0 = side == 2 ? mx.getThreadCpuTime(worker) : 0;
                                long t0 = System.nanoTime();
                                convs[l].run(ins[l], outs[l], residuals[l], scratch[l], pool);
                                long t = System.nanoTime() - t0;
                                long c = mx.getCurrentThreadCpuTime() - c0;
                                if (side == 2) {
                                    // The worker's last item is done when run returns; its spin before parking
                                    // (microseconds) is all that may land in the next run's span.
                                    c += mx.getThreadCpuTime(worker) - w0;
                                }
                                if (round >= 0) {
                                    int i = round * reps + rep;
                                    switch (side) {
                                        case 0 -> {
                                            wall1[l][i] = t;
                                            cpu1[l][i] = c;
                                        }
                                        case 1 -> wall2[l][i] = t;
                                        default -> cpu2[l][i] = c;
                                    }
                                }
                            }
                        } finally {
                            pool.end();
                        }
                    }
                }
            }
            System.out.printf("%-34s %-20s %8s %8s %8s %8s %7s %7s %7s%n", "layer", "strategy", "1T best", "2T best",
                    "1T med", "2T med", "x best", "x med", "cpu2/1");
            double sum1 = 0;
            double sum2 = 0;
            for (int l = 0; l < n; l++) {
                long[] a = wall1[l];
                long[] b = wall2[l];
                Arrays.sort(a);
                Arrays.sort(b);
                int m = a.length / 2;
                Arrays.sort(cpu1[l]);
                Arrays.sort(cpu2[l]);
                sum1 += a[m];
                sum2 += b[m];
                System.out.printf("%-34s %-20s %8.3f %8.3f %8.3f %8.3f %7.2f %7.2f %7.2f%n", layers[l],
                        convs[l].strategy(), a[0] / 1e6, b[0] / 1e6, a[m] / 1e6, b[m] / 1e6, (double) a[0] / b[0],
                        (double) a[m] / b[m], (double) cpu2[l][m] / cpu1[l][m]);
            }
            System.out.printf("sum of medians: 1T %.3f ms, 2T %.3f ms, %.2fx%n", sum1 / 1e6, sum2 / 1e6, sum1 / sum2);
        }
    }

    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() - 0.5f;
        }
        return f;
    }
}
