package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The shifted-GEMM convolution agrees with the definition on random stride-1 geometries, whether or not
 * {@link ConvKernel} would pick it for them: odd sizes, asymmetric padding (none, and more than the kernel reaches),
 * non-square kernels, dilation, batch, groups, channels across KC blocks, post-ops with a residual or a per-channel
 * scale, 1 and 2 threads, and a scratch reused for a second call.
 */
class ShiftedConvTest {
    /** Direct convolution with zero padding, in double. */
    private static float[] convolve(ConvGeometry g, float[] in, float[] w) {
        float[] out = new float[g.batch() * g.outChannels() * g.outH() * g.outW()];
        int cin = g.inChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                int grp = co / g.outChannelsPerGroup();
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double s = 0;
                        for (int ci = 0; ci < cin; ci++) {
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iy = y - g.padTop() + kh * g.dilationH();
                                    int ix = x - g.padLeft() + kw * g.dilationW();
                                    if (iy >= 0 && ix >= 0 && iy < g.inH() && ix < g.inW()) {
                                        s += (double) in[((n * g.inChannels() + grp * cin + ci) * g.inH() + iy)
                                                * g.inW() + ix] * w[((co * cin + ci) * g.kernelH() + kh)
                                                * g.kernelW() + kw];
                                    }
                                }
                            }
                        }
                        out[((n * g.outChannels() + co) * g.outH() + y) * g.outW() + x] = (float) s;
                    }
                }
            }
        }
        return out;
    }

    @RepeatedTest(60)
    void matchesTheDefinition(RepetitionInfo rep) {
        Random r = new Random(rep.getCurrentRepetition() * 7919L);
        int groups = r.nextInt(4) == 0 ? 2 : 1;
        int cin = groups * (1 + r.nextInt(rep.getCurrentRepetition() % 8 == 0 ? 300 : 40));
        int cout = groups * (1 + r.nextInt(30));
        int kh = 1 + r.nextInt(4);
        int kw = kh == 1 ? 2 + r.nextInt(3) : 1 + r.nextInt(4);
        int dil = r.nextInt(5) == 0 ? 2 : 1;
        int h = kh * dil + r.nextInt(20);
        int w = kw * dil + r.nextInt(rep.getCurrentRepetition() % 3 == 0 ? 60 : 12);
        int top = r.nextInt(4);
        int left = r.nextInt(4);
        int oh = h + top + r.nextInt(4) - dil * (kh - 1);
        int ow = w + left + r.nextInt(4) - dil * (kw - 1);
        int batch = 1 + r.nextInt(2);
        ConvGeometry g = new ConvGeometry(batch, cin, h, w, cout, oh, ow, kh, kw, 1, 1, dil, dil, top, left, groups);
        int threads = 1 + r.nextInt(2);
        float[] in = RandomData.uniform(r, batch * cin * h * w);
        float[] wts = RandomData.uniform(r, cout * (cin / groups) * kh * kw);
        float[] out = new float[batch * cout * oh * ow];
        float[] res = RandomData.uniform(r, out.length);
        PostOps post = switch (r.nextInt(3)) {
            case 0 -> new PostOps(RandomData.uniform(r, cout), true, PostOps.Activation.RELU, 0, 0);
            case 1 -> new PostOps(RandomData.uniform(r, cout), false, PostOps.Activation.NONE, 0, 0).scaledBy(RandomData.uniform(r, cout));
            default -> PostOps.NONE;
        };
        try (WorkerPool pool = new WorkerPool(threads, "t")) {
            ShiftedConv conv = new ShiftedConv(g, wts);
            TiledConv.Epilogue epilogue = conv.epilogue(post);
            ShiftedConv.Scratch scratch = conv.newScratch(threads);
            conv.run(in, out, res, post, epilogue, scratch, pool);
            Arrays.fill(out, Float.NaN);
            conv.run(in, out, res, post, epilogue, scratch, pool);
        }
        // The definition, then the same post-ops applied to each output channel.
        float[] expected = convolve(g, in, wts);
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < cout; co++) {
                post.apply(expected, (n * cout + co) * oh * ow, oh * ow, co, res);
            }
        }
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-4 * (1 + Math.abs(expected[i])), g + " element " + i);
        }
    }

    @Test
    void takesTheWideStrideOneLayersOfResNet() {
        assertTrue(ShiftedConv.suits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertTrue(ShiftedConv.suits(new ConvGeometry(1, 128, 28, 28, 128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(ShiftedConv.suits(new ConvGeometry(1, 128, 56, 56, 128, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
        assertFalse(ShiftedConv.suits(new ConvGeometry(1, 3, 224, 224, 64, 224, 224, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(ShiftedConv.suits(new ConvGeometry(1, 64, 56, 56, 256, 56, 56, 1, 1, 1, 1, 1, 1, 0, 0, 1)));
        // Few input channels: only with generated segmented tiles (no C tile traffic per tap).
        ConvGeometry thin = new ConvGeometry(1, 8, 240, 320, 16, 240, 320, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertFalse(ShiftedConv.suits(thin));
        assertTrue(ShiftedConv.suits(thin, true));
        assertFalse(ShiftedConv.suits(new ConvGeometry(1, 3, 224, 224, 64, 224, 224, 3, 3, 1, 1, 1, 1, 1, 1, 1), true));
    }
}
