package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * The shifted-GEMM convolution agrees with the definition on random stride-1 geometries it takes: odd sizes,
 * asymmetric padding (including none and more than the kernel reach), dilation, batch, groups, channels across KC
 * blocks, every post-op kind that reads per-channel data, 1 and 2 threads, and a scratch reused for a second call.
 */
class ShiftedConvTest {
    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() * 2 - 1;
        }
        return f;
    }

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

    @RepeatedTest(40)
    void matchesTheDefinition(RepetitionInfo rep) {
        Random r = new Random(rep.getCurrentRepetition() * 7919L);
        int groups = r.nextInt(4) == 0 ? 2 : 1;
        int cin = groups * (16 + r.nextInt(rep.getCurrentRepetition() % 8 == 0 ? 300 : 40));
        int cout = groups * (1 + r.nextInt(30));
        int kh = 2 + r.nextInt(3);
        int kw = 1 + r.nextInt(4);
        int dil = r.nextInt(5) == 0 ? 2 : 1;
        int h = 3 + r.nextInt(20);
        int w = 20 + r.nextInt(30);
        int top = r.nextInt(3);
        int left = r.nextInt(3);
        int bottom = r.nextInt(3);
        int right = r.nextInt(3);
        int oh = h + top + bottom - dil * (kh - 1);
        int ow = w + left + right - dil * (kw - 1);
        if (oh < 1 || ow < 24) {
            ow = 24;
            oh = Math.max(1, oh);
        }
        int batch = 1 + r.nextInt(2);
        ConvGeometry g = new ConvGeometry(batch, cin, h, w, cout, oh, ow, kh, kw, 1, 1, dil, dil, top, left, groups);
        assertTrue(ShiftedConv.suits(g), g.toString());
        int threads = 1 + r.nextInt(2);
        float[] in = random(r, batch * cin * h * w);
        float[] wts = random(r, cout * (cin / groups) * kh * kw);
        float[] bias = random(r, cout);
        float[] out = new float[batch * cout * oh * ow];
        float[] res = random(r, out.length);
        PostOps post = switch (r.nextInt(3)) {
            case 0 -> new PostOps(bias, true, PostOps.Activation.RELU, 0, 0);
            case 1 -> new PostOps(bias, false, PostOps.Activation.NONE, 0, 0).scaledBy(random(r, cout));
            default -> PostOps.NONE;
        };
        try (WorkerPool pool = new WorkerPool(threads, "t")) {
            ConvKernel kernel = new ConvKernel(g, wts, post);
            ConvKernel.Scratch scratch = kernel.newScratch(threads);
            kernel.run(in, out, res, scratch, pool);
            java.util.Arrays.fill(out, Float.NaN);
            kernel.run(in, out, res, scratch, pool);
        }
        // The definition, then the same post-ops applied to each output channel.
        float[] expected = convolve(g, in, wts);
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < cout; co++) {
                post.apply(expected, (n * cout + co) * oh * ow, oh * ow, co, res);
            }
        }
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 2e-4 * (1 + Math.abs(expected[i])), g + " element " + i);
        }
    }
}
