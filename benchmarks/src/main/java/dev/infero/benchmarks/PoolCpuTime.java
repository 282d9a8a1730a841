package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * FP32 max and average pooling layers ({@link WindowKernel}) on one thread, timed by the calling thread's CPU time,
 * each implementation (Vector API, generated AVX-512, generated AVX2) alternated round by round in one JVM. Prints
 * per layer and implementation the median and best time of a call in µs and the input read per µs (GB/s). Shapes
 * {@code C:HxW:k:s:pad[:ceil][:avg|:avgx]} (square window, {@code avgx}: exclude pad); the defaults are SqueezeNet's
 * three max pools (3×3/2 ceil), ResNet's stem pool, VGG-style 2×2/2, YOLOX's SPP (5, 9, 13 at stride 1), an inception
 * 3×3/1 branch pool, average pools of our own and ResNet-50's global 7×7 average pool. Usage:
 * {@code java -cp <benchmarks classpath> dev.infero.benchmarks.PoolCpuTime [-Drounds=11]
 * [-Dimpl=vector,jit_avx512,jit_avx2] [shape ...]}.
 */
public final class PoolCpuTime {
    private static final String[] DEFAULT_SHAPES = {"64:111x111:3:2:0:ceil", "128:55x55:3:2:0:ceil",
        "256:27x27:3:2:0:ceil", "64:112x112:3:2:1", "64:112x112:2:2:0", "128:13x13:5:1:2", "128:13x13:9:1:4",
        "128:13x13:13:1:6", "192:28x28:3:1:1", "64:56x56:3:1:1:avg", "64:56x56:3:2:1:avgx", "256:14x14:2:2:0:avg",
        "2048:7x7:7:1:0:avg"};

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("rounds", 11);
        String[] impls = System.getProperty("impl", "vector,jit_avx512,jit_avx2").split(",");
        String[] shapes = args.length > 0 ? args : DEFAULT_SHAPES;
        Random r = new Random(1);
        WindowKernel[][] kernels = new WindowKernel[shapes.length][impls.length];
        WindowKernel.Scratch[][] scratch = new WindowKernel.Scratch[shapes.length][impls.length];
        float[][] ins = new float[shapes.length][];
        float[][] outs = new float[shapes.length][];
        for (int s = 0; s < shapes.length; s++) {
            String[] f = shapes[s].split(":");
            int c = Integer.parseInt(f[0]);
            String[] hw = f[1].split("x");
            int h = Integer.parseInt(hw[0]);
            int w = Integer.parseInt(hw[1]);
            int k = Integer.parseInt(f[2]);
            int stride = Integer.parseInt(f[3]);
            int pad = Integer.parseInt(f[4]);
            boolean ceil = Arrays.asList(f).contains("ceil");
            boolean avg = Arrays.asList(f).contains("avg") || Arrays.asList(f).contains("avgx");
            boolean exclude = Arrays.asList(f).contains("avgx");
            int oh = size(h, k, stride, pad, ceil);
            int ow = size(w, k, stride, pad, ceil);
            ConvGeometry g = new ConvGeometry(1, c, h, w, c, oh, ow, k, k, stride, stride, 1, 1, pad, pad, c);
            ins[s] = new float[c * h * w];
            for (int i = 0; i < ins[s].length; i++) {
                ins[s][i] = r.nextFloat() - 0.5f;
            }
            outs[s] = new float[c * oh * ow];
            for (int i = 0; i < impls.length; i++) {
                Jit.Isa isa = switch (impls[i]) {
                    case "jit_avx512" -> Jit.Isa.AVX512;
                    case "jit_avx2" -> Jit.Isa.AVX2;
                    default -> null;
                };
                kernels[s][i] = avg ? WindowKernel.avgPool(g, exclude, pad, pad, isa)
                        : WindowKernel.maxPool(g, isa);
                scratch[s][i] = kernels[s][i].newScratch(1);
            }
        }
        long[][][] times = new long[shapes.length][impls.length][rounds];
        try (WorkerPool pool = new WorkerPool(1, "bench")) {
            for (int round = -3; round < rounds; round++) {
                for (int s = 0; s < shapes.length; s++) {
                    for (int i = 0; i < impls.length; i++) {
                        int reps = 20;
                        long t = mx.getCurrentThreadCpuTime();
                        for (int rep = 0; rep < reps; rep++) {
                            kernels[s][i].run(ins[s], outs[s], 0, scratch[s][i], pool);
                        }
                        if (round >= 0) {
                            times[s][i][round] = (mx.getCurrentThreadCpuTime() - t) / reps;
                        }
                    }
                }
            }
        }
        for (int s = 0; s < shapes.length; s++) {
            StringBuilder sb = new StringBuilder(String.format("%-24s", shapes[s]));
            for (int i = 0; i < impls.length; i++) {
                long[] t = times[s][i];
                Arrays.sort(t);
                sb.append(String.format("  %s %-11s %7.1f us (best %7.1f, %5.1f GB/s)", impls[i],
                        kernels[s][i].implementation(), t[rounds / 2] / 1e3, t[0] / 1e3,
                        4.0 * ins[s].length / t[rounds / 2]));
            }
            System.out.println(sb);
        }
    }

    /** The pooled size, ceil rounding never starting a window in the end padding. */
    private static int size(int in, int k, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - k;
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }
}
