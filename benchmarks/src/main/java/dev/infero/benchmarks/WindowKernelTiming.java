package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The timing loop of the window-kernel benchmarks ({@link PoolCpuTime}, {@link DepthwiseCpuTime}): every layer on
 * every implementation (Vector API, generated AVX-512, generated AVX2), alternated round by round in one JVM on one
 * thread, timed by the calling thread's CPU time (20 calls per measurement, 3 warm-up rounds).
 */
final class WindowKernelTiming {
    private WindowKernelTiming() {
    }

    /** One layer: its name, input and output arrays, and its kernel on an ISA ({@code null}: the Vector API). */
    record Layer(String name, float[] in, float[] out, Function<Jit.Isa, WindowKernel> kernel) {
    }

    /** The common head of a layer spec {@code C:HxW:k:s[:...]}: channels, plane, square window, stride, all fields. */
    record Spec(String text, int c, int h, int w, int k, int stride, String[] fields) {
        static Spec parse(String spec) {
            String[] f = spec.split(":");
            String[] hw = f[1].split("x");
            return new Spec(spec, Integer.parseInt(f[0]), Integer.parseInt(hw[0]), Integer.parseInt(hw[1]),
                    Integer.parseInt(f[2]), Integer.parseInt(f[3]), f);
        }
    }

    /** The layers of {@code specs}, each built by {@code build} from its parsed spec and one shared seeded random. */
    static List<Layer> layers(String[] specs, BiFunction<Spec, Random, Layer> build) {
        Random r = new Random(1);
        List<Layer> layers = new ArrayList<>();
        for (String spec : specs) {
            layers.add(build.apply(Spec.parse(spec), r));
        }
        return layers;
    }

    /** What was measured: per layer and implementation the kernel and its sorted per-call times (ns). */
    record Result(WindowKernel[][] kernels, long[][][] sortedTimes) {
        long median(int layer, int impl) {
            long[] t = sortedTimes[layer][impl];
            return t[t.length / 2];
        }

        long best(int layer, int impl) {
            return sortedTimes[layer][impl][0];
        }
    }

    /** The implementation names of {@code -Dimpl} (default all three). */
    static String[] impls() {
        return System.getProperty("impl", "vector,jit_avx512,jit_avx2").split(",");
    }

    /** {@code jit_avx512} and {@code jit_avx2} name a generated ISA; anything else is the Vector API. */
    static Jit.Isa isa(String impl) {
        return switch (impl) {
            case "jit_avx512" -> Jit.Isa.AVX512;
            case "jit_avx2" -> Jit.Isa.AVX2;
            default -> null;
        };
    }

    /** Uniform values in [-0.5, 0.5). */
    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }

    static Result time(List<Layer> layers, String[] impls, int rounds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        WindowKernel[][] kernels = new WindowKernel[layers.size()][impls.length];
        WindowKernel.Scratch[][] scratch = new WindowKernel.Scratch[layers.size()][impls.length];
        for (int s = 0; s < layers.size(); s++) {
            for (int i = 0; i < impls.length; i++) {
                kernels[s][i] = layers.get(s).kernel().apply(isa(impls[i]));
                scratch[s][i] = kernels[s][i].newScratch(1);
            }
        }
        long[][][] times = new long[layers.size()][impls.length][rounds];
        try (WorkerPool pool = new WorkerPool(1, "bench")) {
            for (int round = -3; round < rounds; round++) {
                for (int s = 0; s < layers.size(); s++) {
                    Layer layer = layers.get(s);
                    for (int i = 0; i < impls.length; i++) {
                        int reps = 20;
                        long t = mx.getCurrentThreadCpuTime();
                        for (int rep = 0; rep < reps; rep++) {
                            kernels[s][i].run(layer.in(), layer.out(), 0, scratch[s][i], pool);
                        }
                        if (round >= 0) {
                            times[s][i][round] = (mx.getCurrentThreadCpuTime() - t) / reps;
                        }
                    }
                }
            }
        }
        for (long[][] perLayer : times) {
            for (long[] t : perLayer) {
                Arrays.sort(t);
            }
        }
        return new Result(kernels, times);
    }
}
