package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GEMM-based and depthwise convolution kernels agree with a direct seven-loop convolution on awkward shapes. */
class ConvKernelsTest {
    /** Direct convolution with zero padding, the definition itself. */
    static float[] naive(ConvGeometry g, float[] in, float[] w, float[] bias, float[] residual, boolean relu) {
        float[] out = new float[g.batch() * g.outChannels() * g.outH() * g.outW()];
        int cin = g.inChannelsPerGroup();
        int coutG = g.outChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                int grp = co / coutG;
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double s = bias == null ? 0 : bias[co];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iy = y * g.strideH() - g.padTop() + kh * g.dilationH();
                                    int ix = x * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    if (iy < 0 || ix < 0 || iy >= g.inH() || ix >= g.inW()) {
                                        continue;
                                    }
                                    int c = grp * cin + ci;
                                    s += (double) in[((n * g.inChannels() + c) * g.inH() + iy) * g.inW() + ix]
                                            * w[((co * cin + ci) * g.kernelH() + kh) * g.kernelW() + kw];
                                }
                            }
                        }
                        int o = ((n * g.outChannels() + co) * g.outH() + y) * g.outW() + x;
                        if (residual != null) {
                            s += residual[o];
                        }
                        out[o] = relu ? (float) Math.max(0, s) : (float) s;
                    }
                }
            }
        }
        return out;
    }

    private static ConvGeometry geometry(int n, int c, int h, int w, int cout, int k, int stride, int pad, int dil,
                                         int groups) {
        int oh = (h + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        int ow = (w + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        return new ConvGeometry(n, c, h, w, cout, oh, ow, k, k, stride, stride, dil, dil, pad, pad, groups);
    }

    @ParameterizedTest(name = "n{0} c{1} {2}x{3} cout{4} k{5} s{6} p{7} d{8} g{9} threads{10}")
    @CsvSource({"1,3,17,19,8,3,1,1,1,1,1", "2,5,9,7,7,3,2,1,1,1,2", "1,16,8,8,32,1,1,0,1,1,2", "1,6,11,11,4,5,2,2,1,1,1",
            "1,4,10,10,6,3,1,2,2,2,2", "1,8,7,7,8,1,2,0,1,1,2", "1,3,32,32,24,5,2,2,1,1,2",
            // Small outputs (one chunk, output channels shared by the threads), K past one KC block, edge panels.
            "1,64,7,7,40,3,1,1,1,1,2", "2,32,5,6,20,3,1,1,1,2,2", "1,300,4,4,13,1,1,0,1,1,2", "1,300,9,9,19,1,1,0,1,1,1",
            "1,8,12,12,10,3,1,1,1,1,2"})
    void gemmConvolutionMatchesTheDefinition(int n, int c, int h, int w, int cout, int k, int s, int p, int d, int grp,
                                             int threads) {
        Random r = new Random(h * 100 + c);
        ConvGeometry g = geometry(n, c, h, w, cout, k, s, p, d, grp);
        float[] in = RandomData.uniform(r, n * c * h * w);
        float[] wts = RandomData.uniform(r, cout * (c / grp) * k * k);
        float[] bias = RandomData.uniform(r, cout);
        float[] out = new float[n * cout * g.outH() * g.outW()];
        float[] res = RandomData.uniform(r, out.length);
        try (WorkerPool pool = new WorkerPool(threads, "t")) {
            ConvKernel kernel = new ConvKernel(g, wts, new PostOps(bias, true, PostOps.Activation.RELU, 0, 0));
            kernel.run(in, out, res, kernel.newScratch(threads), pool);
        }
        float[] expected = naive(g, in, wts, bias, res, true);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-4, "element " + i);
        }
    }

    @ParameterizedTest(name = "c{0} {1}x{2} k{3} s{4} p{5} d{6}")
    @CsvSource({"8,16,16,3,1,1,1", "5,9,13,3,2,1,1", "3,7,7,5,1,2,1", "4,12,12,3,1,2,2", "6,15,15,5,2,2,1",
            "2,4,4,3,1,0,1", "32,8,8,3,2,1,1"})
    void depthwiseConvolutionMatchesTheDefinition(int c, int h, int w, int k, int s, int p, int d) {
        Random r = new Random(c * 7 + h);
        ConvGeometry g = geometry(2, c, h, w, c, k, s, p, d, c);
        float[] in = RandomData.uniform(r, 2 * c * h * w);
        float[] wts = RandomData.uniform(r, c * k * k);
        float[] bias = RandomData.uniform(r, c);
        float[] out = new float[2 * c * g.outH() * g.outW()];
        try (WorkerPool pool = new WorkerPool(2, "t")) {
            WindowKernel kernel = WindowKernel.depthwise(g, wts, new PostOps(bias, false, PostOps.Activation.RELU, 0, 0));
            kernel.run(in, out, null, kernel.newScratch(2), pool);
        }
        float[] expected = naive(g, in, wts, bias, null, true);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-4, "element " + i);
        }
    }
}
