package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.testing.RandomData;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Winograd F(2×2, 3×3) against the definition (in double) on random 3×3 stride-1 layers: odd and even sizes, padding
 * 0 to 2 on each side independently (so the bottom and right edges crop tiles or read zeros), channel counts that
 * are not multiples of 16 and some past one K block (256), batch 2, 1 and 2 threads (blocks cut mid tile-row),
 * post-ops with bias, scale, residual and activations, a scratch reused after a call on other values; on the
 * generated micro-kernels of both ISAs and on the Vector API one.
 * <p>
 * Tolerance: the transforms only add and subtract (and halve, exactly, in G), so the computed sum is a sum of
 * {@code Cin·16} products of transformed values, each transformed value a sum of at most 4 inputs (Bᵀ d B: each
 * entry ±d over a 2×2 sub-block) or a weight combination of absolute sum at most {@code Σ|g|} (G g Gᵀ), and each
 * output adds at most 9 products (Aᵀ m A). The usual bound for a float sum of n terms, n·ε·Σ|terms|, with those
 * terms bounded by 4·Σ|w|·|x| of the definition, gives {@code |error| ≤ 4·(Cin + 12)·ε·Σ|w·x|} per output (ε =
 * 2^-24); the post-ops here are at most 1-Lipschitz times |scale| ≤ 1, so it holds after them too.
 */
class WinogradConvTest {
    private static final double EPS = Math.ulp(1f) / 2;

    /** The definition in double: values and, per output, Σ|w·x| (the scale of its rounding error). */
    private static double[][] convolve(ConvGeometry g, float[] in, float[] w) {
        int len = g.batch() * g.outChannels() * g.outH() * g.outW();
        double[] out = new double[len];
        double[] abs = new double[len];
        int cin = g.inChannels();
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        double s = 0;
                        double a = 0;
                        for (int ci = 0; ci < cin; ci++) {
                            for (int kh = 0; kh < 3; kh++) {
                                for (int kw = 0; kw < 3; kw++) {
                                    int iy = y - g.padTop() + kh;
                                    int ix = x - g.padLeft() + kw;
                                    if (iy >= 0 && ix >= 0 && iy < g.inH() && ix < g.inW()) {
                                        double p = (double) in[((n * cin + ci) * g.inH() + iy) * g.inW() + ix]
                                                * w[((co * cin + ci) * 3 + kh) * 3 + kw];
                                        s += p;
                                        a += Math.abs(p);
                                    }
                                }
                            }
                        }
                        int i = ((n * g.outChannels() + co) * g.outH() + y) * g.outW() + x;
                        out[i] = s;
                        abs[i] = a;
                    }
                }
            }
        }
        return new double[][] {out, abs};
    }

    private static MicroKernel micro(String impl) {
        if (impl.equals("vector")) {
            return MicroKernel.VECTOR;
        }
        Jit.Isa isa = Jit.Isa.valueOf(impl);
        assumeTrue(isa.supported(), isa + " not available here");
        return MicroKernel.of(isa);
    }

    private static ConvGeometry geometry(Random r, int trial) {
        int batch = 1 + r.nextInt(2);
        boolean deep = trial % 7 == 3;
        int cin = deep ? 250 + r.nextInt(30) : 1 + r.nextInt(40);
        int cout = deep ? 1 + r.nextInt(20) : 1 + r.nextInt(40);
        int h = 1 + r.nextInt(deep ? 9 : 45);
        int w = 1 + r.nextInt(deep ? 9 : 45);
        int top = r.nextInt(3);
        int left = r.nextInt(3);
        int bottom = r.nextInt(3);
        int right = r.nextInt(3);
        int oh = h + top + bottom - 2;
        int ow = w + left + right - 2;
        if (oh < 1 || ow < 1) {
            return geometry(r, trial);
        }
        return new ConvGeometry(batch, cin, h, w, cout, oh, ow, 3, 3, 1, 1, 1, 1, top, left, 1);
    }

    private static PostOps post(Random r, int cout) {
        float[] bias = r.nextBoolean() ? RandomData.uniform(r, cout) : null;
        boolean residual = r.nextBoolean();
        PostOps post = switch (r.nextInt(6)) {
            case 0 -> PostOps.NONE;
            case 1 -> new PostOps(bias, residual, PostOps.Activation.RELU, 0, 0);
            case 2 -> new PostOps(bias, residual, PostOps.Activation.CLAMP, -0.3f, 0.4f);
            case 3 -> new PostOps(bias, residual, PostOps.Activation.SIGMOID, 0, 0);
            case 4 -> PostOps.withPerChannelSlopes(bias, residual, RandomData.uniform(r, cout));
            default -> new PostOps(bias, residual, PostOps.Activation.NONE, 0, 0);
        };
        return r.nextInt(3) == 0 ? post.scaledBy(RandomData.uniform(r, cout)) : post;
    }

    @ParameterizedTest
    @ValueSource(strings = {"AVX512", "AVX2", "vector"})
    void matchesTheDefinition(String impl) {
        MicroKernel micro = micro(impl);
        Random r = new Random(77 + impl.hashCode());
        boolean splitMidRow = false;
        for (int trial = 0; trial < 40; trial++) {
            ConvGeometry g = geometry(r, trial);
            int threads = 1 + r.nextInt(2);
            float[] wts = RandomData.uniform(r, g.outChannels() * g.inChannels() * 9);
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            int len = g.batch() * g.outChannels() * g.outH() * g.outW();
            float[] res = RandomData.uniform(r, len);
            PostOps post = post(r, g.outChannels());
            float[] out = new float[len];
            WinogradConv conv = new WinogradConv(g, wts, micro);
            int tilesW = (g.outW() + 1) / 2;
            splitMidRow |= conv.maxBlock() % tilesW != 0 && conv.maxBlock() < (g.outH() + 1) / 2 * tilesW;
            try (WorkerPool pool = new WorkerPool(threads, "t")) {
                TiledConv.Scratch scratch = conv.newScratch(threads);
                conv.run(RandomData.uniform(r, in.length), out, RandomData.uniform(r, len), post, null, scratch,
                        pool);
                Arrays.fill(out, Float.NaN);
                conv.run(in, out, res, post, null, scratch, pool);
            }
            double[][] exact = convolve(g, in, wts);
            float[] expected = new float[len];
            for (int i = 0; i < len; i++) {
                expected[i] = (float) exact[0][i];
            }
            int plane = g.outH() * g.outW();
            for (int n = 0; n < g.batch(); n++) {
                for (int co = 0; co < g.outChannels(); co++) {
                    post.apply(expected, (n * g.outChannels() + co) * plane, plane, co, res);
                }
            }
            for (int i = 0; i < len; i++) {
                // The bound above, plus the rounding of the expected value and of the post-ops applied to it.
                double tol = 4 * (g.inChannels() + 12) * EPS * exact[1][i] + 4 * Math.ulp(Math.abs(expected[i]))
                        + 1e-7;
                assertEquals(expected[i], out[i], tol, impl + " " + g + " " + post.describe() + " at " + i);
            }
        }
        assertTrue(splitMidRow, "some layers had blocks ending inside a tile row");
    }

    /**
     * The measured error against the GEMM strategies' (summing the 9·Cin products directly) on the same ResNet-like
     * layer: Winograd's worst error stays near it (here below it, 1.1e-5 against 3.0e-5: each of its products sums Cin
     * terms, the direct sums 9·Cin, in one chain).
     */
    @Test
    void errorStaysNearTheDirectSums() {
        Random r = new Random(5);
        ConvGeometry g = new ConvGeometry(1, 64, 20, 20, 64, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[] wts = RandomData.uniform(r, 64 * 64 * 9);
        float[] in = RandomData.uniform(r, 64 * 400);
        double[] exact = convolve(g, in, wts)[0];
        float[] wino = new float[exact.length];
        float[] direct = new float[exact.length];
        try (WorkerPool pool = new WorkerPool(1, "t")) {
            WinogradConv conv = new WinogradConv(g, wts, MicroKernel.VECTOR);
            conv.run(in, wino, null, PostOps.NONE, null, conv.newScratch(1), pool);
            ConvKernel gemm = new ConvKernel(g, wts, PostOps.NONE, MicroKernel.VECTOR, null, false);
            assertFalse(gemm.strategy().startsWith("winograd"), gemm.strategy());
            gemm.run(in, direct, null, gemm.newScratch(1), pool);
        }
        double worstWino = 0;
        double worstDirect = 0;
        for (int i = 0; i < exact.length; i++) {
            worstWino = Math.max(worstWino, Math.abs(wino[i] - exact[i]));
            worstDirect = Math.max(worstDirect, Math.abs(direct[i] - exact[i]));
        }
        System.out.printf("worst error: winograd %.3g, %s %.3g%n", worstWino, "direct", worstDirect);
        assertTrue(worstWino <= 2 * worstDirect, "winograd " + worstWino + " vs direct " + worstDirect);
    }

    private static ConvGeometry same(int channels, int size, int cout) {
        return new ConvGeometry(1, channels, size, size, cout, size, size, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    }

    private static String strategy(ConvGeometry g, MicroKernel micro) {
        return new ConvKernel(g, RandomData.uniform(new Random(1), g.outChannels() * g.inChannels() * 9),
                new PostOps(null, false, PostOps.Activation.RELU, 0, 0), micro, null).strategy();
    }

    /**
     * ConvKernel takes Winograd by the cost rule: on 3×3 layers of 128 channels and more from 28×28 outputs, not on
     * 14×14 ones however deep (49 tiles: U streamed for little work, slower inside whole models), 7×7 outputs
     * (megabytes of U for 16 tiles) or layers of 40–64 channels; the same with the JIT
     * off (the Vector API GEMM), with {@code -Dinfero.cpu.winograd=on}; by default only on the Vector API GEMM (never
     * on generated tiles); never with {@code off}, everywhere it fits with {@code force}; another value is an error.
     */
    @Test
    void choosesWinogradWhereItPays() {
        assumeTrue(Jit.Isa.AVX512.supported() || Jit.Isa.AVX2.supported(), "no generated GEMM here");
        MicroKernel jit = MicroKernel.of(Jit.Isa.AVX512.supported() ? Jit.Isa.AVX512 : Jit.Isa.AVX2);
        assertFalse(strategy(same(128, 28, 128), jit).startsWith("winograd"), "off by default on generated tiles");
        assertEquals("winograd_f23", strategy(same(128, 28, 128), MicroKernel.VECTOR), "on by default, JIT off");
        assertFalse(strategy(same(256, 14, 256), MicroKernel.VECTOR).startsWith("winograd"), "by the rule");
        assertFalse(strategy(same(64, 56, 64), MicroKernel.VECTOR).startsWith("winograd"), "by the rule");
        try {
            System.setProperty("infero.cpu.winograd", "on");
            assertEquals("winograd_f23", strategy(same(128, 28, 128), jit));
            assertEquals("winograd_f23", strategy(same(128, 56, 128), jit));
            assertEquals("winograd_f23", strategy(same(256, 28, 256), jit));
            assertFalse(strategy(same(256, 14, 256), jit).startsWith("winograd"), "few tiles");
            assertFalse(strategy(same(512, 14, 512), jit).startsWith("winograd"), "few tiles");
            assertFalse(strategy(same(64, 56, 64), jit).startsWith("winograd"));
            assertFalse(strategy(same(64, 80, 64), jit).startsWith("winograd"));
            assertFalse(strategy(same(128, 14, 128), jit).startsWith("winograd"));
            assertFalse(strategy(same(512, 7, 512), jit).startsWith("winograd"));
            assertFalse(strategy(same(64, 20, 64), jit).startsWith("winograd"));
            assertFalse(strategy(same(40, 78, 40), jit).startsWith("winograd"));
            assertEquals("winograd_f23", strategy(same(128, 28, 128), MicroKernel.VECTOR),
                    "JIT off: the Vector API GEMM");
            System.setProperty("infero.cpu.winograd", "off");
            assertFalse(strategy(same(128, 28, 128), jit).startsWith("winograd"));
            assertFalse(strategy(same(128, 28, 128), MicroKernel.VECTOR).startsWith("winograd"));
            System.setProperty("infero.cpu.winograd", "yes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> strategy(same(128, 28, 128), jit));
            assertTrue(e.getMessage().contains("infero.cpu.winograd=yes"), e.getMessage());
            System.setProperty("infero.cpu.winograd", "force");
            assertEquals("winograd_f23", strategy(same(512, 7, 512), jit));
            assertEquals("winograd_f23", strategy(same(64, 20, 64), MicroKernel.VECTOR));
        } finally {
            System.clearProperty("infero.cpu.winograd");
        }
    }

    @Test
    void takesOnlyThreeByThreeStrideOneDenseLayers() {
        PostOps none = PostOps.NONE;
        assertTrue(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1), none));
        assertFalse(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1), none));
        assertFalse(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 2, 2, 2, 2, 1), none));
        assertFalse(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 2), none));
        assertFalse(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 5, 5, 1, 1, 1, 1, 2, 2, 1), none));
        assertFalse(WinogradConv.fits(new ConvGeometry(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                none.withIntegerSums()), "INT8 codes' sums must stay exact");
    }
}
