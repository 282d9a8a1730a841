package dev.infero.benchmarks;

import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.BlockedConv;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.kernels.U8S8Stem;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * INT8 first convolutions (few input channels, float image in, float values out) against the FP32 blocked stem
 * ({@link BlockedConv} reading NCHW image planes), on one thread, timed by the calling thread's CPU time and
 * alternated round by round in one JVM ({@link ConvCpuTime#measure}). Per layer: FP32 blocked; INT8 in channel
 * quads ({@link U8S8Conv}) — whole, its packing pass alone (tiles that compute nothing) and without its epilogue
 * (tiles storing the raw sums) — and, where {@link U8S8Stem#applies}, INT8 in quads over taps
 * ({@link U8S8Conv#overTaps}), whole and its packing alone. So the time splits into packing, tiles and epilogue.
 * Layers as {@link ConvCpuTime}'s ({@code [Nx]CxHxW->Cout/kKsS[+post...]}, padding K/2; default post-ops bias +
 * ReLU). Prints per variant best and median ms and the ratio of the median to the FP32 one. Usage: {@code java -cp
 * <benchmarks classpath> dev.infero.benchmarks.Int8StemCpuTime [-Drounds=9] [layer ...]}.
 */
public final class Int8StemCpuTime {
    private static final String[] DEFAULT_LAYERS = {"3x640x640->16/k3s2", "3x320x320->32/k3s2",
        "3x416x416->32/k3s2", "3x224x224->24/k3s2", "3x224x224->64/k7s2", "3x224x224->64/k3s2",
        "1x224x224->32/k3s2", "1x128x128->16/k5s1", "2x160x160->16/k3s2", "4x224x224->32/k3s2",
        "2x3x192x192->24/k3s2"};

    private Int8StemCpuTime() {
    }

    public static void main(String[] args) throws Throwable {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = Integer.getInteger("rounds", 9);
        String[] layers = args.length > 0 ? args : DEFAULT_LAYERS;
        U8S8Conv.Form form = U8S8ConvTiles.form();
        if (form == null) {
            throw new IllegalStateException("the JIT is off or unsupported here: no generated INT8 tiles to measure");
        }
        List<String> names = new ArrayList<>();
        List<ConvCpuTime.Variant> variants = new ArrayList<>();
        List<Double> flops = new ArrayList<>();
        List<Boolean> fp32 = new ArrayList<>();
        Random r = new Random(1);
        ActivationQuantizer q = ActivationQuantizer.of(-1.28f, 1.27f, 256);
        try (WorkerPool pool = new WorkerPool(1, "stem-cpu-time")) {
            for (String layer : layers) {
                String spec = layer.contains("+") ? layer : layer + "+bias+relu";
                ConvGeometry g = ConvCpuTime.geometry(spec);
                int cout = g.outChannels();
                float[] codes = new float[cout * g.patchSize()];
                float[] w = new float[codes.length];
                for (int i = 0; i < codes.length; i++) {
                    codes[i] = r.nextInt(255) - 127;
                    w[i] = codes[i] / 127f;
                }
                PostOps post = ConvCpuTime.post(spec, r, cout);
                float[] scale = new float[cout];
                Arrays.fill(scale, 1e-4f);
                float[] in = new float[g.batch() * g.inChannels() * g.inH() * g.inW()];
                for (int i = 0; i < in.length; i++) {
                    in[i] = r.nextFloat() * 2 - 1;
                }
                int cbo = (cout + 15) / 16;
                float[] blockedOut = new float[g.batch() * cbo * 16 * g.outH() * g.outW()];
                float[] out = new float[g.batch() * cout * g.outH() * g.outW()];
                float[] res = new float[Math.max(out.length, blockedOut.length)];
                double f = g.flops();
                BlockedConv bc = BlockedConv.of(g, w, post, false);
                int inImage = g.inChannels() * g.inH() * g.inW();
                int outImage = cbo * 16 * g.outH() * g.outW();
                add(names, variants, flops, fp32, String.format("%-26s fp32 blocked", layer), f, true, b -> {
                    for (int n = 0; n < g.batch(); n++) {
                        for (int item = 0; item < bc.items(); item++) {
                            bc.runItem(in, n * inImage, blockedOut, n * outImage, res, item);
                        }
                    }
                });
                QuantizedConvKernel base = new QuantizedConvKernel(g, codes, q, post.scaledBy(scale));
                List<U8S8Conv> layouts = new ArrayList<>();
                layouts.add(new U8S8Conv(g, codes, q, form));
                if (U8S8Stem.applies(g)) {
                    layouts.add(U8S8Conv.overTaps(g, codes, q, form));
                }
                for (U8S8Conv layout : layouts) {
                    U8S8ConvTiles jit = U8S8ConvTiles.create(layout);
                    String kind = layout.overTaps() ? "taps" : "channels";
                    QuantizedConvKernel whole = base.onTiles(layout, jit);
                    QuantizedConvKernel.Scratch ws = whole.newScratch(1);
                    add(names, variants, flops, fp32, String.format("%-26s int8 %-8s %-22s", layer, kind,
                            whole.strategy()), f, false, b -> whole.run(in, out, res, ws, pool));
                    QuantizedConvKernel packOnly = base.onTiles(layout, new Partial(jit, false));
                    QuantizedConvKernel.Scratch ps = packOnly.newScratch(1);
                    add(names, variants, flops, fp32, String.format("%-26s int8 %-8s %-22s", layer, kind,
                            "  packing alone"), f, false, b -> packOnly.run(in, out, res, ps, pool));
                    if (!layout.overTaps() || Boolean.getBoolean("raw")) {
                        QuantizedConvKernel raw = base.onTiles(layout, new Partial(jit, true));
                        QuantizedConvKernel.Scratch rs = raw.newScratch(1);
                        add(names, variants, flops, fp32, String.format("%-26s int8 %-8s %-22s", layer, kind,
                                "  without epilogue"), f, false, b -> raw.run(in, out, res, rs, pool));
                    }
                }
            }
            ConvCpuTime.Times measured = ConvCpuTime.measure(mx, rounds, Integer.getInteger("warmup", 4), 1,
                    variants, flops.stream().mapToDouble(Double::doubleValue).toArray(), "");
            long[][] times = measured.times();
            double fp32Median = 0;
            for (int i = 0; i < variants.size(); i++) {
                long[] t = times[i];
                Arrays.sort(t);
                double median = t[rounds / 2];
                if (fp32.get(i)) {
                    fp32Median = median;
                }
                System.out.printf("%s best %7.3f ms  median %7.3f ms  %6.1f Gops/s%s%n", names.get(i), t[0] / 1e6,
                        median / 1e6, flops.get(i) / median, fp32.get(i) ? ""
                                : String.format("  /fp32 %.2f", median / fp32Median));
            }
        }
    }

    private static void add(List<String> names, List<ConvCpuTime.Variant> variants, List<Double> flops,
                            List<Boolean> fp32, String name, double f, boolean isFp32, ConvCpuTime.Variant v) {
        names.add(name);
        variants.add(v);
        flops.add(f);
        fp32.add(isFp32);
    }

    /**
     * Tiles that fuse nothing and compute nothing ({@code raw} false: the run is the packing and the calls), or
     * store the raw int32 sums without the epilogue ({@code raw}).
     */
    private record Partial(U8S8ConvTiles jit, boolean raw) implements U8S8Conv.Tiles {
        @Override
        public Object newState(int threads) {
            return jit.newState(threads);
        }

        @Override
        public void run(int[] in, int inOff, float[] out, int outOff, int group, int tiles, long lastMask,
                        int thread, Object state) {
            if (raw) {
                jit.run(in, inOff, out, outOff, group, tiles, lastMask, thread, state);
            }
        }

        @Override
        public boolean fusesPostOps() {
            return true;
        }

        @Override
        public void runFused(int[] in, int inOff, float[] out, int outOff, float[] residual, int group, int tiles,
                             long lastMask, int thread, Object state, float[] table, int flags) {
            run(in, inOff, out, outOff, group, tiles, lastMask, thread, state);
        }

        @Override
        public String name() {
            return raw ? "raw" : "none";
        }
    }
}
