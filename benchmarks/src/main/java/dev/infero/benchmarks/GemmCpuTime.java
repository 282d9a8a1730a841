package dev.infero.benchmarks;

import dev.infero.cpu.jit.CodeBuffer;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PackedGemm;
import dev.infero.cpu.kernels.PostOps;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * {@link JitGemmBenchmark}'s shapes and {@link FmaPeakBenchmark}'s loop timed by the calling thread's CPU time, all in
 * one JVM and alternated round by round, for a machine shared with other work (JMH's wall time then measures the
 * load). Prints, per shape and micro-kernel, GFLOPS of the best and the median round and the best as a share of the
 * measured AVX-512 FMA peak. Usage: {@code java -cp <benchmarks classpath> dev.infero.benchmarks.GemmCpuTime
 * [-Drounds=15] [-Dimpl=jit_avx512,jit_avx2,vector] [MxNxK ...]}.
 */
public final class GemmCpuTime {
    private static final MethodHandle LOOP = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    private static final String[] DEFAULT_SHAPES = {"96x256x256", "64x3136x64", "64x3136x576", "256x3136x64",
        "64x3136x256", "128x784x1152", "256x196x2304", "1024x196x256", "256x196x1024", "24x12544x27"};

    public static void main(String[] args) throws Throwable {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("rounds", 15);
        String[] impls = System.getProperty("impl", "jit_avx512,jit_avx2").split(",");
        String[] shapes = args.length > 0 ? args : DEFAULT_SHAPES;
        long peakIterations = 200_000;
        CodeBuffer peak = CodeBuffer.of(FmaPeakBenchmark.loop(Jit.Isa.AVX512));
        long[] peakTimes = new long[rounds];
        PackedGemm[][] gemms = new PackedGemm[shapes.length][impls.length];
        float[][] bs = new float[shapes.length][];
        float[][] cs = new float[shapes.length][];
        int[][] dims = new int[shapes.length][];
        Random r = new Random(1);
        for (int s = 0; s < shapes.length; s++) {
            int[] d = Arrays.stream(shapes[s].split("x")).mapToInt(Integer::parseInt).toArray();
            dims[s] = d;
            float[] a = new float[d[0] * d[2]];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat();
            }
            bs[s] = new float[d[2] * d[1]];
            for (int i = 0; i < bs[s].length; i++) {
                bs[s][i] = r.nextFloat();
            }
            cs[s] = new float[d[0] * d[1]];
            for (int i = 0; i < impls.length; i++) {
                Jit.Isa isa = switch (impls[i]) {
                    case "jit_avx512" -> Jit.Isa.AVX512;
                    case "jit_avx2" -> Jit.Isa.AVX2;
                    default -> null;
                };
                gemms[s][i] = new PackedGemm(d[0], d[2], a, 0, d[2], MicroKernel.of(isa));
            }
        }
        float[] ws = new float[PackedGemm.workspaceSize()];
        long[][][] times = new long[shapes.length][impls.length][rounds];
        for (int round = -2; round < rounds; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            LOOP.invokeExact(peak.entry(), peakIterations);
            if (round >= 0) {
                peakTimes[round] = mx.getCurrentThreadCpuTime() - t0;
            }
            for (int s = 0; s < shapes.length; s++) {
                int n = dims[s][1];
                double flop = 2.0 * dims[s][0] * dims[s][1] * dims[s][2];
                int reps = (int) Math.max(1, 2e8 / flop);
                for (int i = 0; i < impls.length; i++) {
                    long best = Long.MAX_VALUE;
                    for (int rep = 0; rep < reps; rep++) {
                        long t = mx.getCurrentThreadCpuTime();
                        gemms[s][i].multiply(n, bs[s], 0, n, cs[s], 0, n, PostOps.NONE, null, 0, ws);
                        best = Math.min(best, mx.getCurrentThreadCpuTime() - t);
                    }
                    if (round >= 0) {
                        times[s][i][round] = best;
                    }
                }
            }
        }
        peak.close();
        Arrays.sort(peakTimes);
        double peakGflops = peakIterations * 12.0 * 2 * 16 / peakTimes[0];
        System.out.printf("fma peak avx512: best %.1f GFLOPS, median %.1f%n", peakGflops,
                peakIterations * 12.0 * 2 * 16 / peakTimes[rounds / 2]);
        for (int s = 0; s < shapes.length; s++) {
            double flop = 2.0 * dims[s][0] * dims[s][1] * dims[s][2];
            for (int i = 0; i < impls.length; i++) {
                long[] t = times[s][i];
                Arrays.sort(t);
                System.out.printf("%-14s %-11s best %6.1f GFLOPS (%5.1f %% of peak)  median %6.1f%n", shapes[s],
                        impls[i], flop / t[0], 100 * flop / t[0] / peakGflops, flop / t[rounds / 2]);
            }
        }
    }
}
