package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WindowKernel} split across two threads (ranges of planes claimed as threads come free) writes the same bits
 * as on one thread, for every path: depthwise with the Vector API loops and with generated code on each ISA this
 * machine runs, depthwise on codes, max pooling (2×2 stride 2 straight from the input, separable 3×3 stride 2, general)
 * and average pooling, with the Vector API loops and with generated code on each ISA. The layers are large enough that {@link WorkerPool#threadsFor} splits them, and plane counts
 * are not multiples of the ranges, so ranges differ in length.
 */
class WindowKernelSplitTest {
    private static ConvGeometry geometry(int n, int c, int h, int w, int k, int s, int pad) {
        int oh = (h + 2 * pad - k) / s + 1;
        int ow = (w + 2 * pad - k) / s + 1;
        return new ConvGeometry(n, c, h, w, c, oh, ow, k, k, s, s, 1, 1, pad, pad, c);
    }

    @Test
    void twoThreadsWriteTheBitsOfOne() {
        Random r = new Random(77);
        List<ConvGeometry> shapes = List.of(geometry(1, 37, 64, 64, 3, 1, 1), geometry(2, 13, 57, 71, 3, 2, 1),
                geometry(1, 29, 48, 48, 5, 1, 2), geometry(1, 3, 20, 20, 3, 1, 1),
                // Over WindowKernel.SPLIT_BYTES, so that generated stride-2 depthwise code splits too.
                geometry(2, 9, 150, 161, 3, 2, 1));
        for (ConvGeometry g : shapes) {
            int c = g.inChannels();
            float[] wts = RandomData.uniform(r, c * g.kernelH() * g.kernelW());
            PostOps post = new PostOps(RandomData.uniform(r, c), true, PostOps.Activation.RELU, 0f, 0f);
            List<WindowKernel> kernels = new ArrayList<>();
            kernels.add(WindowKernel.depthwise(g, wts, post, null));
            for (Jit.Isa isa : Jit.Isa.values()) {
                if (isa.supported()) {
                    kernels.add(WindowKernel.depthwise(g, wts, post, isa));
                }
            }
            ActivationQuantizer[] codes = new ActivationQuantizer[c];
            for (int i = 0; i < c; i++) {
                codes[i] = ActivationQuantizer.of(-1.28f, 1.27f, 256);
            }
            kernels.add(WindowKernel.depthwiseOnCodes(g, wts, codes, PostOps.NONE));
            ConvGeometry halving = geometry(g.batch(), c, g.inH(), g.inW(), 2, 2, 0);
            kernels.add(WindowKernel.maxPool(g, null));
            kernels.add(WindowKernel.avgPool(g, true, 0, 0, null));
            kernels.add(WindowKernel.maxPool(halving, null));
            for (Jit.Isa isa : Jit.Isa.values()) {
                if (isa.supported()) {
                    kernels.add(WindowKernel.maxPool(g, isa));
                    kernels.add(WindowKernel.avgPool(g, false, g.padTop(), g.padLeft(), isa));
                    kernels.add(WindowKernel.maxPool(halving, isa));
                }
            }
            for (WindowKernel k : kernels) {
                check(k, r);
            }
        }
    }

    private static void check(WindowKernel k, Random r) {
        ConvGeometry g = k.geometry();
        float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
        int outLen = g.batch() * g.outChannels() * g.outH() * g.outW();
        float[] res = RandomData.uniform(r, outLen);
        float[] one = new float[outLen];
        float[] two = new float[outLen];
        try (WorkerPool pool = new WorkerPool(1, "t")) {
            k.run(in, one, res, k.newScratch(1), pool);
        }
        try (WorkerPool pool = new WorkerPool(2, "t")) {
            // Twice on one scratch: the second pass must not depend on what the first left behind.
            WindowKernel.Scratch s = k.newScratch(2);
            k.run(in, two, res, s, pool);
            k.run(in, two, res, s, pool);
        }
        assertArrayEquals(one, two, g + " " + k.implementation());
    }
}
