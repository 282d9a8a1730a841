package dev.infero.benchmarks;

import dev.infero.cpu.jit.CodeBuffer;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Whole FP32 convolution layers ({@link ConvKernel} on one thread: packing, im2col or window copies and the GEMM)
 * timed by the calling thread's CPU time, alternated round by round with {@link FmaPeakBenchmark}'s loop in one JVM,
 * as {@link GemmCpuTime} does for bare GEMM shapes. Prints per layer the strategy, GFLOPS of the best and the median
 * round and the best as a share of the measured FMA peak. Layers are {@code [Nx]CxHxW->Cout/kKsS} (batch N, input channels and
 * plane, output channels, square kernel K, stride S, "same"-style padding K/2), optionally followed by post-ops:
 * {@code +bn} (per-channel scale and bias, a folded BatchNorm), {@code +bias}, {@code +add} (a residual), then one of
 * {@code +relu +clamp +leaky +prelu +sigmoid +swish +elu +hswish} ({@code +prelu}: random per-channel slopes). With {@code -Dab=convpost} (any {@code infero.jit.<family>}
 * switch, e.g. {@code direct} for the generated direct convolution of few-input-channel layers) each layer runs twice
 * per round, compiled with that family off ("off") and on ("on"), alternated, so the two compare in one JVM; a name
 * with a dot is a whole system property ({@code -Dab=infero.cpu.winograd}), and {@code -Dabvalues=off,force} sets
 * the two values. Layers
 * the direct kernel suits take it on the {@code -Dimpl} ISA unless {@code -Dinfero.jit.direct=off}. Usage: {@code java -cp <benchmarks classpath> dev.infero.benchmarks.ConvCpuTime
 * [-Drounds=9] [-Dwarmup=6] [-Dimpl=jit_avx512] [-Dab=convpost] [-Dbuffers=1] [layer ...]}; {@code -Dbuffers=N} rotates
 * each layer through N sets of input, output and residual arrays (data from L3, as in a model, rather than from L2).
 */
public final class ConvCpuTime {
    private static final MethodHandle LOOP = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    /** ResNet-50's distinct dense layers (stem excluded) and the stems of the face/object detectors. */
    private static final String[] DEFAULT_LAYERS = {"3x224x224->64/k7s2", "3x320x320->16/k3s2", "3x416x416->16/k3s2",
        "64x56x56->64/k1s1", "64x56x56->64/k3s1", "64x56x56->256/k1s1", "256x56x56->64/k1s1",
        "256x56x56->128/k1s1", "128x56x56->128/k3s2", "128x28x28->512/k1s1", "512x28x28->128/k1s1",
        "128x28x28->128/k3s1", "256x28x28->256/k3s2", "512x14x14->256/k1s1", "256x14x14->256/k3s1",
        "256x14x14->1024/k1s1", "1024x14x14->256/k1s1", "512x14x14->512/k3s2", "512x7x7->2048/k1s1",
        "2048x7x7->512/k1s1", "512x7x7->512/k3s1", "16x160x160->32/k3s2", "32x80x80->64/k3s2"};

    public static void main(String[] args) throws Throwable {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("rounds", 9);
        String impl = System.getProperty("impl", "jit_avx512");
        Jit.Isa isa = switch (impl) {
            case "jit_avx512" -> Jit.Isa.AVX512;
            case "jit_avx2" -> Jit.Isa.AVX2;
            default -> null;
        };
        String[] given = args.length > 0 ? args : DEFAULT_LAYERS;
        String ab = System.getProperty("ab");
        // A switch name with a dot is a whole system property (-Dab=infero.cpu.winograd), else infero.jit.<family>.
        String abProperty = ab == null ? null : ab.contains(".") ? ab : "infero.jit." + ab;
        String[] abValues = System.getProperty("abvalues", "off,on").split(",");
        String[] layers = ab == null ? given : new String[2 * given.length];
        String[] variant = new String[layers.length];
        for (int l = 0; ab != null && l < layers.length; l++) {
            layers[l] = given[l / 2];
            variant[l] = abValues[l % 2];
        }
        ConvKernel[] convs = new ConvKernel[layers.length];
        ConvKernel.Scratch[] scratch = new ConvKernel.Scratch[layers.length];
        // -Dbuffers=N: each layer rotates through N input, output and residual arrays, so that with N large enough
        // they come from L3 as in a model (a layer's input written by the layer before, its output read by the next)
        // rather than from L2, where one set of a small layer stays between repetitions.
        int buffers = Integer.getInteger("buffers", 1);
        float[][][] ins = new float[layers.length][buffers][];
        float[][][] outs = new float[layers.length][buffers][];
        float[][][] residuals = new float[layers.length][buffers][];
        double[] flops = new double[layers.length];
        Random r = new Random(1);
        try (WorkerPool pool = new WorkerPool(1, "conv-cpu-time")) {
            for (int l = 0; l < layers.length; l++) {
                ConvGeometry g = geometry(layers[l]);
                for (int i = 0; i < buffers; i++) {
                    ins[l][i] = random(r, g.batch() * g.inChannels() * g.inH() * g.inW());
                    outs[l][i] = new float[g.batch() * g.outChannels() * g.outH() * g.outW()];
                    residuals[l][i] = random(r, outs[l][i].length);
                }
                if (variant[l] != null) {
                    System.setProperty(abProperty, variant[l]);
                }
                convs[l] = new ConvKernel(g, random(r, g.outChannels() * g.patchSize()), post(layers[l], r,
                        g.outChannels()), MicroKernel.of(isa),
                        isa == null || Jit.switchedOff("direct") ? null : isa);
                if (abProperty != null) {
                    System.clearProperty(abProperty);
                }
                scratch[l] = convs[l].newScratch(1);
                flops[l] = 2.0 * g.batch() * g.outChannels() * g.outH() * g.outW() * g.patchSize();
            }
            List<Variant> variants = new ArrayList<>();
            for (int l = 0; l < layers.length; l++) {
                int layer = l;
                variants.add(i -> convs[layer].run(ins[layer][i], outs[layer][i], residuals[layer][i], scratch[layer],
                        pool));
            }
            Times measured = measure(mx, rounds, Integer.getInteger("warmup", 6), buffers, variants, flops, "");
            long[][] times = measured.times();
            double peakGflops = measured.peakGflops();
            double total = 0;
            for (int l = 0; l < layers.length; l++) {
                long[] t = times[l];
                Arrays.sort(t);
                total += t[rounds / 2];
                System.out.printf("%-34s %-20s best %7.3f ms %6.1f GFLOPS (%5.1f %% of peak)  median %7.3f ms%n",
                        layers[l] + (variant[l] == null ? "" : " " + ab + "=" + variant[l]), convs[l].strategy(), t[0] / 1e6, flops[l] / t[0], 100 * flops[l] / t[0] / peakGflops,
                        t[rounds / 2] / 1e6);
            }
            System.out.printf("sum of medians %.3f ms%n", total / 1e6);
        }
    }

    /** One measured variant: a layer's run on buffer set {@code buffer} (of -Dbuffers). */
    interface Variant {
        void run(int buffer) throws Throwable;
    }

    /** Per variant and kept round its best CPU time (ns), and the FMA peak's best GFLOPS. */
    record Times(long[][] times, double peakGflops) {
    }

    /**
     * The rounds the CPU-time benchmarks share ({@code warmup} rounds first, not kept): per round the FMA peak loop's
     * CPU time, then per variant the best CPU time of max(2, 1e8 / flops) runs, rotating through {@code buffers} sets.
     * Prints the peak line (ending in {@code peakSuffix}).
     */
    static Times measure(ThreadMXBean mx, int rounds, int warmup, int buffers, List<Variant> variants, double[] flops,
                         String peakSuffix) throws Throwable {
        long peakIterations = 200_000;
        CodeBuffer peak = CodeBuffer.of(FmaPeakBenchmark.loop(Jit.Isa.AVX512));
        long[] peakTimes = new long[rounds];
        int v = variants.size();
        long[][] times = new long[v][rounds];
        for (int round = -warmup; round < rounds; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            LOOP.invokeExact(peak.entry(), peakIterations);
            if (round >= 0) {
                peakTimes[round] = mx.getCurrentThreadCpuTime() - t0;
            }
            for (int i = 0; i < v; i++) {
                int reps = (int) Math.max(2, 1e8 / flops[i]);
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < reps; rep++) {
                    long t = mx.getCurrentThreadCpuTime();
                    variants.get(i).run(rep % buffers);
                    best = Math.min(best, mx.getCurrentThreadCpuTime() - t);
                }
                if (round >= 0) {
                    times[i][round] = best;
                }
            }
        }
        peak.close();
        Arrays.sort(peakTimes);
        double peakGflops = peakIterations * 12.0 * 2 * 16 / peakTimes[0];
        System.out.printf("fma peak avx512: best %.1f GFLOPS, median %.1f%s%n", peakGflops,
                peakIterations * 12.0 * 2 * 16 / peakTimes[rounds / 2], peakSuffix);
        return new Times(times, peakGflops);
    }

    /** The post-ops after {@code +} in a layer ({@link PostOps#NONE} when none). */
    static PostOps post(String layer, Random r, int channels) {
        String[] parts = layer.split("\\+");
        float[] scale = null;
        float[] bias = null;
        boolean residual = false;
        PostOps.Activation act = PostOps.Activation.NONE;
        float alpha = 0;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i]) {
                case "bn" -> {
                    scale = random(r, channels);
                    bias = random(r, channels);
                }
                case "bias" -> bias = random(r, channels);
                case "add" -> residual = true;
                case "relu" -> act = PostOps.Activation.RELU;
                case "clamp" -> act = PostOps.Activation.CLAMP;
                case "leaky" -> {
                    act = PostOps.Activation.LEAKY_RELU;
                    alpha = 0.1f;
                }
                case "prelu" -> act = PostOps.Activation.PRELU;
                case "sigmoid" -> act = PostOps.Activation.SIGMOID;
                case "swish" -> {
                    act = PostOps.Activation.SWISH;
                    alpha = 1f;
                }
                case "elu" -> {
                    act = PostOps.Activation.ELU;
                    alpha = 1f;
                }
                case "hswish" -> act = PostOps.Activation.HSWISH;
                default -> throw new IllegalArgumentException("layer " + layer + ": unknown post-op '" + parts[i]
                        + "' (bn, bias, add, relu, clamp, leaky, prelu, sigmoid, swish, elu, hswish)");
            }
        }
        PostOps post = act == PostOps.Activation.PRELU
                ? PostOps.withPerChannelSlopes(bias, residual, random(r, channels))
                : new PostOps(bias, residual, act, act == PostOps.Activation.CLAMP ? 0f : alpha, 6f);
        return scale == null ? post : post.scaledBy(scale);
    }

    /** {@code [Nx]CxHxW->Cout/kKsS} (batch 1 unless given), post-ops after it ignored. */
    static ConvGeometry geometry(String layer) {
        String[] io = layer.split("\\+")[0].split("->");
        String[] d = io[0].split("x");
        String[] out = io[1].split("/");
        int n = d.length == 4 ? Integer.parseInt(d[0]) : 1;
        int c = Integer.parseInt(d[d.length - 3]);
        int h = Integer.parseInt(d[d.length - 2]);
        int w = Integer.parseInt(d[d.length - 1]);
        int cout = Integer.parseInt(out[0]);
        String ks = out.length > 1 ? out[1] : "k1s1";
        int k = Integer.parseInt(ks.substring(1, ks.indexOf('s')));
        int s = Integer.parseInt(ks.substring(ks.indexOf('s') + 1));
        int pad = k / 2;
        int oh = (h + 2 * pad - k) / s + 1;
        int ow = (w + 2 * pad - k) / s + 1;
        return new ConvGeometry(n, c, h, w, cout, oh, ow, k, k, s, s, 1, 1, pad, pad, 1);
    }

    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() - 0.5f;
        }
        return f;
    }
}
