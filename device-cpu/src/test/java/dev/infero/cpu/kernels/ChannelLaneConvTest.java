package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;


import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transposed (output channels in the lanes) convolution agrees with the definition on random geometries: odd
 * sizes, asymmetric padding, strides, dilations, groups, batch > 1, channel counts that leave the last weight panel
 * and the last pixel panel partly empty, K over several KC blocks, 1 to 3 threads.
 */
class ChannelLaneConvTest {
    static IntStream seeds() {
        return IntStream.range(0, 60);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomGeometriesMatchTheDefinition(int seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(2);
        int groups = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
        int k = new int[] {1, 1, 3, 3, 5}[r.nextInt(5)];
        int stride = 1 + r.nextInt(2);
        int dil = k > 1 && r.nextInt(4) == 0 ? 2 : 1;
        boolean pointwise = k == 1 && r.nextBoolean();
        int h = 1 + r.nextInt(15);
        int w = 1 + r.nextInt(15);
        int padTop = pointwise ? 0 : r.nextInt(k / 2 + 2);
        int padLeft = pointwise ? 0 : r.nextInt(k / 2 + 2);
        int padBottom = pointwise ? 0 : r.nextInt(k / 2 + 2);
        int padRight = pointwise ? 0 : r.nextInt(k / 2 + 2);
        if (pointwise) {
            stride = 1;
        }
        int span = dil * (k - 1) + 1;
        h = Math.max(h, span - padTop - padBottom);
        w = Math.max(w, span - padLeft - padRight);
        int oh = (h + padTop + padBottom - span) / stride + 1;
        int ow = (w + padLeft + padRight - span) / stride + 1;
        // Deep enough, now and then, for K to cross several KC blocks.
        int cin = groups * (r.nextInt(5) == 0 ? 1 + r.nextInt(700 / (k * k)) : 1 + r.nextInt(40));
        int cout = groups * (1 + r.nextInt(90));
        ConvGeometry g = new ConvGeometry(n, cin, h, w, cout, oh, ow, k, k, stride, stride, dil, dil, padTop, padLeft,
                groups);
        check(g, 1 + r.nextInt(3), r.nextBoolean(), r);
    }

    /**
     * ResNet-50's stage shapes, 7×7 and 14×14 outputs (stride 1 and 2), a panel-filling 32-channel one, and outputs of
     * several pixel chunks (20×20, 33×33, 28×28).
     */
    @ParameterizedTest(name = "c{0} {1}x{1} cout{2} k{3} s{4} threads{5}")
    @CsvSource({"512,7,512,3,1,2", "256,14,256,3,1,1", "256,28,256,3,2,2", "1024,14,512,1,2,1", "2048,7,512,1,1,2",
            "512,7,96,1,1,1", "64,5,32,3,1,2", "16,20,40,3,1,2", "8,33,24,1,1,1", "20,28,70,3,1,3", "300,33,8,1,1,2",
            "256,14,64,3,1,2"})
    void resnetShapesMatchTheDefinition(int c, int size, int cout, int k, int stride, int threads) {
        int pad = k / 2;
        int out = (size + 2 * pad - k) / stride + 1;
        ConvGeometry g = new ConvGeometry(1, c, size, size, cout, out, out, k, k, stride, stride, 1, 1, pad, pad, 1);
        check(g, threads, true, new Random(c + size));
    }

    /**
     * The gather's vector forms (panels of pixels one or two apart, in one run or split across two output rows; see
     * {@code ChannelLaneConv.vectorPanels}) on shapes chosen to take them: 1×1 stride 1 and 2, 3×3 and 5×5 padded
     * (two runs across rows), stride 2, dilation 2, batch 2 (the second image's planes at an offset), K over several
     * KC blocks; each against the definition, so a lane or a split off by one fails.
     */
    @ParameterizedTest(name = "c{0} {1}x{2} k{3} s{4} pad{5} dil{6} n{7} threads{8}")
    @CsvSource({"300,14,14,1,1,0,1,1,1, 1", "64,13,11,1,1,0,1,2,2, 1", "520,7,7,3,1,1,1,1,1, 12", "40,9,10,3,1,1,2,2,2, 12",
            "260,14,14,3,2,1,1,1,2, 34", "48,15,17,3,2,1,1,2,1, 34", "64,14,14,1,2,0,1,1,1, 34", "30,13,13,5,2,2,1,2,2, 34",
            "70,8,19,3,1,0,1,1,1, 12"})
    void vectorGatherFormsMatchTheDefinition(int c, int h, int w, int k, int stride, int pad, int dil, int n,
                                             int threads, int forms) {
        int span = dil * (k - 1) + 1;
        int oh = (h + 2 * pad - span) / stride + 1;
        int ow = (w + 2 * pad - span) / stride + 1;
        ConvGeometry g = new ConvGeometry(n, c, h, w, 40, oh, ow, k, k, stride, stride, dil, dil, pad, pad, 1);
        int[] taken = new ChannelLaneConv(g, new float[g.outChannels() * g.patchSize()]).vectorPanels();
        // forms: the digits of the forms expected to take panels (1: one run 1 apart, 2: two runs 1 apart, 3 and 4
        // the same 2 apart).
        for (int f = 0; f < 4; f++) {
            boolean expected = String.valueOf(forms).indexOf('1' + f) >= 0;
            assertEquals(expected, taken[f] > 0, g + " form " + (f + 1) + ": " + java.util.Arrays.toString(taken));
        }
        check(g, threads, true, new Random(c + h * w));
        check(g, threads, false, new Random(c + h));
    }

    private static void check(ConvGeometry g, int threads, boolean postOps, Random r) {
        float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
        float[] wts = RandomData.uniform(r, g.outChannels() * g.patchSize());
        float[] bias = postOps ? RandomData.uniform(r, g.outChannels()) : null;
        int outSize = g.batch() * g.outChannels() * g.outH() * g.outW();
        float[] res = postOps ? RandomData.uniform(r, outSize) : null;
        float[] out = new float[outSize];
        java.util.Arrays.fill(out, Float.NaN);
        PostOps post = postOps ? new PostOps(bias, true, PostOps.Activation.RELU, 0, 0) : PostOps.NONE;
        try (WorkerPool pool = new WorkerPool(threads, "t")) {
            ChannelLaneConv conv = new ChannelLaneConv(g, wts);
            TiledConv.Epilogue epilogue = conv.epilogue(post);
            ChannelLaneConv.Scratch scratch = conv.newScratch(threads);
            // First on another input: nothing of one call (the zero-bordered input copy) may leak into the next.
            conv.run(RandomData.uniform(r, in.length), out, res, post, epilogue, scratch, pool);
            conv.run(in, out, res, post, epilogue, scratch, pool);
        }
        float[] expected = ConvKernelsTest.naive(g, in, wts, bias, res, postOps);
        // Rounding grows with the sum of |terms|, which is the definition evaluated on absolute values.
        float[] magnitude = ConvKernelsTest.naive(g, abs(in), abs(wts), bias == null ? null : abs(bias),
                res == null ? null : abs(res), false);
        for (int i = 0; i < outSize; i++) {
            int at = i;
            assertEquals(expected[i], out[i], 1e-5 * magnitude[i] + 1e-6, () -> g + " element " + at);
        }
    }

    private static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Math.abs(a[i]);
        }
        return b;
    }

}
