package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.BlockedConv;
import dev.infero.cpu.kernels.BlockedWinograd;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The blocked convolution ({@link BlockedConv}, nChw16c output) against the NCHW {@link ConvKernel} on the same
 * layer, both on one thread, timed by the calling thread's CPU time and alternated round by round with
 * {@link FmaPeakBenchmark}'s loop in one JVM (as {@link ConvCpuTime}). Layers as {@link ConvCpuTime}'s
 * ({@code [Nx]CxHxW->Cout/kKsS[+post...]}, "same"-style padding K/2); the blocked kernel reads blocked input from 16
 * input channels on, NCHW planes below (stems). {@code -Dtiles=2x14,1x28} runs one blocked variant per register
 * tile ({@code infero.jit.blocked.tile}) besides the rule's. Prints per variant best and median ms, GFLOPS and the
 * share of the measured FMA peak, and the blocked/NCHW ratio of the medians. Usage: {@code java -cp <benchmarks
 * classpath> dev.infero.benchmarks.BlockedConvCpuTime [-Drounds=9] [-Dwarmup=4] [-Dimpl=jit_avx512] [-Dtiles=...]
 * [layer ...]}. Layers the blocked Winograd F(4×4, 3×3) fits get its variant too ("rule" when its cost rule takes
 * it).
 */
public final class BlockedConvCpuTime {
    private static final String[] DEFAULT_LAYERS = {"3x224x224->64/k7s2", "64x56x56->64/k3s1", "128x56x56->128/k3s2",
        "64x56x56->256/k1s1+add+relu", "256x56x56->64/k1s1", "32x160x160->32/k3s1", "16x240x320->32/k1s1",
        "512x7x7->2048/k1s1"};

    public static void main(String[] args) throws Throwable {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("rounds", 9);
        String impl = System.getProperty("impl", "jit_avx512");
        Jit.Isa isa = switch (impl) {
            case "jit_avx512" -> Jit.Isa.AVX512;
            case "jit_avx2" -> Jit.Isa.AVX2;
            default -> throw new IllegalArgumentException("-Dimpl: jit_avx512 or jit_avx2, not " + impl);
        };
        System.setProperty("infero.jit.isa", isa.label());
        String[] layers = args.length > 0 ? args : DEFAULT_LAYERS;
        String tilesProp = System.getProperty("tiles", "");
        List<String> tiles = new ArrayList<>();
        tiles.add("");
        for (String t : tilesProp.split(",")) {
            if (!t.isBlank()) {
                tiles.add(t.trim());
            }
        }
        List<String> names = new ArrayList<>();
        List<ConvCpuTime.Variant> variants = new ArrayList<>();
        List<Double> flops = new ArrayList<>();
        List<Integer> layerOf = new ArrayList<>();
        int buffers = Integer.getInteger("buffers", 1);
        Random r = new Random(1);
        try (WorkerPool pool = new WorkerPool(1, "blocked-cpu-time")) {
            for (int l = 0; l < layers.length; l++) {
                ConvGeometry g = ConvCpuTime.geometry(layers[l]);
                float[] w = random(r, g.outChannels() * g.patchSize());
                PostOps post = ConvCpuTime.post(layers[l], r, g.outChannels());
                double f = 2.0 * g.batch() * g.outChannels() * g.outH() * g.outW() * g.patchSize();
                float[][] in = new float[buffers][];
                float[][] out = new float[buffers][];
                float[][] res = new float[buffers][];
                int cbi = (g.inChannels() + 15) / 16;
                int cbo = (g.outChannels() + 15) / 16;
                boolean inBlocked = g.inChannels() >= 16;
                for (int i = 0; i < buffers; i++) {
                    in[i] = random(r, g.batch() * (inBlocked ? cbi * 16 : g.inChannels()) * g.inH() * g.inW());
                    out[i] = new float[g.batch() * cbo * 16 * g.outH() * g.outW()];
                    res[i] = random(r, out[i].length);
                }
                ConvKernel nchw = new ConvKernel(g, w, post, MicroKernel.of(isa), isa);
                ConvKernel.Scratch s = nchw.newScratch(1);
                names.add(String.format("%-30s NCHW %-22s", layers[l], nchw.strategy()));
                variants.add(b -> nchw.run(in[b], out[b], res[b], s, pool));
                flops.add(f);
                layerOf.add(l);
                int inImage = (inBlocked ? cbi * 16 : g.inChannels()) * g.inH() * g.inW();
                int outImage = cbo * 16 * g.outH() * g.outW();
                for (String tile : tiles) {
                    if (tile.isEmpty()) {
                        System.clearProperty("infero.jit.blocked.tile");
                    } else {
                        System.setProperty("infero.jit.blocked.tile", tile);
                    }
                    BlockedConv bc = BlockedConv.of(g, w, post, inBlocked);
                    System.clearProperty("infero.jit.blocked.tile");
                    String t = bc.toString();
                    String tileName = t.substring(t.indexOf("tile ") + 5, t.indexOf(" items"));
                    names.add(String.format("%-30s blk  %-22s", layers[l], (inBlocked ? "in blocked " : "in nchw ")
                            + tileName + (tile.isEmpty() ? " rule" : "")));
                    variants.add(b -> {
                        for (int n = 0; n < g.batch(); n++) {
                            for (int item = 0; item < bc.items(); item++) {
                                bc.runItem(in[b], n * inImage, out[b], n * outImage, res[b], item);
                            }
                        }
                    });
                    flops.add(f);
                    layerOf.add(l);
                }
                // The blocked Winograd F(4×4, 3×3) where the layer fits it (whether or not its cost rule takes it).
                if (inBlocked && BlockedWinograd.fits(g, post)) {
                    BlockedWinograd wg = BlockedWinograd.of(g, w, post);
                    BlockedWinograd.Scratch ws = wg.newScratch();
                    names.add(String.format("%-30s blk  %-22s", layers[l], "winograd f43"
                            + (BlockedWinograd.suits(g, post, true) ? " rule" : "")));
                    variants.add(b -> {
                        for (int n = 0; n < g.batch(); n++) {
                            for (int item = 0; item < wg.items(); item++) {
                                wg.runItem(in[b], n * inImage, out[b], n * outImage, res[b], item, ws);
                            }
                        }
                    });
                    flops.add(f);
                    layerOf.add(l);
                }
            }
            int v = variants.size();
            ConvCpuTime.Times measured = ConvCpuTime.measure(mx, rounds, Integer.getInteger("warmup", 4), buffers,
                    variants, flops.stream().mapToDouble(Double::doubleValue).toArray(), "; impl " + impl);
            long[][] times = measured.times();
            double peakGflops = measured.peakGflops();
            double nchwMedian = 0;
            for (int i = 0; i < v; i++) {
                long[] t = times[i];
                Arrays.sort(t);
                double median = t[rounds / 2];
                boolean isNchw = i == 0 || !layerOf.get(i).equals(layerOf.get(i - 1));
                if (isNchw) {
                    nchwMedian = median;
                }
                System.out.printf("%s best %7.3f ms %6.1f GFLOPS (%5.1f %%)  median %7.3f ms %6.1f GFLOPS%s%n",
                        names.get(i), t[0] / 1e6, flops.get(i) / t[0], 100 * flops.get(i) / t[0] / peakGflops,
                        median / 1e6, flops.get(i) / median,
                        isNchw ? "" : String.format("  blk/nchw %.2f", median / nchwMedian));
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() * 2 - 1;
        }
        return f;
    }
}
