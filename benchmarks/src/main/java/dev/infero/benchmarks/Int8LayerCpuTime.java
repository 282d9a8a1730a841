package dev.infero.benchmarks;

import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;

/**
 * One convolution layer (stride 1, "same" padding, bias, ReLU, float values in and out) as FP32 ({@link ConvKernel}:
 * the generated FP32 kernels when the JIT is on), INT8 on the Vector API and INT8 on generated tiles
 * ({@link U8S8ConvTiles}), measured in CPU time of the calling thread (1 worker), alternating, minimum over 250
 * rounds: robust on a shared machine, where wall-time JMH scores ({@link Int8ConvBenchmark}) include other
 * processes' time slices. Ops = 2·MACs. A fourth line times the generated tiles alone on an already packed input
 * (int32 sums stored, no packing, no post-ops; the second of two runs, cache warm): one call over one image's output positions (for layers the tiles write
 * through a scratch row, one row's worth), its rate counted over the lanes and 6-channel rows it computes, to set
 * against {@link VnniPeakBenchmark}. Usage: {@code Int8LayerCpuTime C HW COUT K}.
 */
public final class Int8LayerCpuTime {
    private Int8LayerCpuTime() {
    }

    public static void main(String[] args) {
        int c = Integer.parseInt(args[0]);
        int hw = Integer.parseInt(args[1]);
        int co = Integer.parseInt(args[2]);
        int k = Integer.parseInt(args[3]);
        ConvGeometry g = new ConvGeometry(1, c, hw, hw, co, hw, hw, k, k, 1, 1, 1, 1, k / 2, k / 2, 1);
        Random r = new Random(1);
        float[] codes = new float[co * g.patchSize()];
        float[] w = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = r.nextInt(255) - 127;
            w[i] = codes[i] / 127f;
        }
        float[] in = new float[c * hw * hw];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextFloat() * 4;
        }
        float[] out = new float[co * hw * hw];
        float[] scale = new float[co];
        java.util.Arrays.fill(scale, 1e-4f);
        PostOps post = new PostOps(new float[co], false, PostOps.Activation.RELU, 0, 0);
        ActivationQuantizer q = ActivationQuantizer.of(0f, 4f, 256);
        ConvKernel fp32 = new ConvKernel(g, w, post);
        QuantizedConvKernel vector = new QuantizedConvKernel(g, codes, q, post.scaledBy(scale));
        if (U8S8ConvTiles.form() == null) {
            throw new IllegalStateException("the JIT is off or unsupported here: no generated INT8 tiles to measure");
        }
        U8S8Conv layout = new U8S8Conv(g, codes, q, U8S8ConvTiles.form());
        QuantizedConvKernel jit = vector.onTiles(layout, U8S8ConvTiles.create(layout));
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double ops = 2.0 * c * co * hw * hw * k * k;
        try (WorkerPool pool = new WorkerPool(1, "layer")) {
            var fs = fp32.newScratch(1);
            var vs = vector.newScratch(1);
            var js = jit.newScratch(1);
            U8S8ConvTiles tiles = U8S8ConvTiles.create(layout);
            Object tileState = tiles.newState(1);
            int positions = layout.ldc();
            int tile = layout.form().tile();
            int tileCount = (positions + tile - 1) / tile;
            int last = positions - (tileCount - 1) * tile;
            long lastMask = last == 64 ? -1L : (1L << last) - 1;
            int[] packed = new int[layout.inputInts()];
            for (int i = 0; i < packed.length; i++) {
                packed[i] = r.nextInt();
            }
            float[] sums = new float[co * layout.ldc()];
            long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
            for (int round = 0; round < 300; round++) {
                for (int which = 0; which < 4; which++) {
                    if (which == 3) {
                        // Warm: the tiles alone are timed on their second run, their input and sums in cache.
                        tiles.run(packed, 0, sums, 0, 0, tileCount, lastMask, 0, tileState);
                    }
                    long c0 = mx.getCurrentThreadCpuTime();
                    switch (which) {
                        case 0 -> fp32.run(in, out, null, fs, pool);
                        case 1 -> vector.run(in, out, null, vs, pool);
                        case 2 -> jit.run(in, out, null, js, pool);
                        default -> tiles.run(packed, 0, sums, 0, 0, tileCount, lastMask, 0, tileState);
                    }
                    long t = mx.getCurrentThreadCpuTime() - c0;
                    if (round >= 50) {
                        best[which] = Math.min(best[which], t);
                    }
                }
            }
            String[] names = {"fp32 " + fp32.strategy(), "int8 vector", "int8 " + jit.strategy()};
            for (int i = 0; i < 3; i++) {
                System.out.printf("%-28s min cpu %8.1f us  %6.1f Gops/s  speed-up %.2fx%n", names[i], best[i] / 1e3,
                        ops / best[i], (double) best[0] / best[i]);
            }
            // The lanes computed: whole tiles, the last one (u8 quads) in 16-position vectors up to its last position.
            int lanes = layout.form() == U8S8Conv.Form.U8_QUADS ? U8S8Conv.LANES : tile;
            double lanesComputed = (double) (tileCount - 1) * tile + (last + lanes - 1) / lanes * lanes;
            int channelsIn = layout.quads() * layout.form().channelsPerInt();
            int rowsOut = (co + U8S8Conv.MR - 1) / U8S8Conv.MR * U8S8Conv.MR;
            double computed = 2.0 * channelsIn * rowsOut * lanesComputed * k * k;
            System.out.printf("%-28s min cpu %8.1f us  %6.1f Gops/s computed (%d positions, packed input, int32 sums)%n",
                    "int8 tiles alone", best[3] / 1e3, computed / best[3], positions);
        }
    }
}
