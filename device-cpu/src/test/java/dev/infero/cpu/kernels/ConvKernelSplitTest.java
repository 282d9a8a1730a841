package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvKernel} split across 2 and 3 threads writes the bits it writes on one thread, for every GEMM strategy
 * (1×1, im2col, shifted windows, channels in the lanes with the pixels or the output channels shared out), with the
 * Vector API kernel (the JIT-off path) and generated code on each ISA this machine runs: a split only changes which
 * thread computes which output columns or channels, never the order of a sum. The layers are large enough that
 * {@link WorkerPool#threadsFor} splits them; besides fixed shapes that reach each strategy and each way of cutting
 * (outputs whose panels do not divide evenly, few column panels, 7×7 outputs whose channels are shared out), random
 * shapes.
 */
class ConvKernelSplitTest {
    private static ConvGeometry geometry(int c, int h, int w, int cout, int k, int stride, int groups) {
        int pad = k / 2;
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        return new ConvGeometry(1, c, h, w, cout, oh, ow, k, k, stride, stride, 1, 1, pad, pad, groups);
    }

    private static List<MicroKernel> micros() {
        List<MicroKernel> micros = new ArrayList<>();
        micros.add(MicroKernel.VECTOR);
        for (Jit.Isa isa : Jit.Isa.values()) {
            if (isa.supported()) {
                micros.add(MicroKernel.of(isa));
            }
        }
        return micros;
    }

    @Test
    void splitsWriteTheBitsOfOneThread() {
        Random r = new Random(2026);
        List<ConvGeometry> shapes = new ArrayList<>(List.of(
                // 1×1: 784 columns (24.5 panels), 400 (12.5), 169 (5.3), 3136; grouped.
                geometry(64, 28, 28, 72, 1, 1, 1), geometry(96, 20, 20, 64, 1, 1, 1),
                geometry(128, 13, 13, 100, 1, 1, 1), geometry(32, 56, 56, 40, 1, 1, 1),
                geometry(48, 30, 30, 48, 1, 1, 2),
                // im2col (3 input channels) and shifted windows, stride 1 and 2.
                geometry(3, 61, 67, 24, 3, 2, 1), geometry(32, 28, 28, 40, 3, 1, 1), geometry(24, 35, 33, 30, 3, 1, 1),
                geometry(16, 40, 44, 24, 3, 2, 1),
                // Channels in the lanes: 7×7 outputs (channels shared out), 10×10 and 14×14 (pixels shared out).
                geometry(64, 7, 7, 96, 3, 1, 1), geometry(300, 7, 7, 200, 1, 1, 1), geometry(128, 14, 14, 64, 3, 2, 1),
                geometry(260, 10, 10, 40, 3, 1, 1), geometry(256, 14, 14, 256, 1, 1, 1),
                // Few columns (8×8, 9×9): output channels shared out in ranges of whole tiles, the last one partial.
                geometry(512, 8, 8, 100, 1, 1, 1), geometry(128, 9, 9, 10, 3, 1, 1)));
        for (int i = 0; i < 10; i++) {
            int k = new int[] {1, 3, 5}[r.nextInt(3)];
            int s = 1 + r.nextInt(2);
            int c = 4 + r.nextInt(160);
            int h = 6 + r.nextInt(40);
            int w = 6 + r.nextInt(40);
            int cout = 8 + r.nextInt(120);
            shapes.add(geometry(c, h, w, cout, k, s, 1));
        }
        Set<String> strategies = new TreeSet<>();
        for (ConvGeometry g : shapes) {
            float[] wts = RandomData.uniform(r, g.outChannels() * g.patchSize());
            PostOps post = new PostOps(RandomData.uniform(r, g.outChannels()), true, PostOps.Activation.RELU, 0, 0);
            float[] in = RandomData.uniform(r, g.inChannels() * g.inH() * g.inW());
            float[] res = RandomData.uniform(r, g.outChannels() * g.outH() * g.outW());
            for (MicroKernel micro : micros()) {
                ConvKernel kernel = new ConvKernel(g, wts, post, micro);
                strategies.add(kernel.strategy());
                float[] one = run(kernel, in, res, 1);
                for (int threads = 2; threads <= 3; threads++) {
                    assertArrayEquals(one, run(kernel, in, res, threads),
                            g + " " + kernel.strategy() + " " + micro.implementation() + " on " + threads + " threads");
                }
            }
        }
        // Winograd may take some 3×3 layers too (its own split is tested with it).
        assertTrue(strategies.containsAll(Set.of("channel_lanes_gemm", "gemm_1x1", "im2col_gemm", "shifted_gemm")),
                strategies.toString());
    }

    /** The layer on {@code threads} threads, twice on one scratch (the second run must not depend on the first). */
    private static float[] run(ConvKernel kernel, float[] in, float[] res, int threads) {
        ConvGeometry g = kernel.geometry();
        float[] out = new float[g.outChannels() * g.outH() * g.outW()];
        try (WorkerPool pool = new WorkerPool(threads, "split")) {
            ConvKernel.Scratch s = kernel.newScratch(threads);
            kernel.run(in, out, res, s, pool);
            java.util.Arrays.fill(out, Float.NaN);
            kernel.run(in, out, res, s, pool);
        }
        return out;
    }
}
