package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.KernelProperties.PoolLayer;
import dev.infero.testing.RandomData;
import java.util.Arrays;
import java.util.Random;
import dev.infero.cpu.jit.Jit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BlockedPool} against the core ops' reference evaluation (MaxPool, AvgPool) with the reorders on the test's
 * side: windows 1–7 square and not and SPP's 5, 9, 13, strides 1–3 per axis, dilations 1–2, padding 0 to window − 1
 * per side, floor and ceil rounding, exclude-pad or not, odd and tiny planes, channels not a multiple of 16, batch
 * 1–3 by offsets, NaN inputs (max: a NaN wins, as the reference), items in shuffled order; global average pooling;
 * out-of-range calls throw.
 */
class BlockedPoolPropertyTest {
    private static PoolLayer layer(Random r) {
        boolean spp = r.nextInt(8) == 0;
        int h = 1 + r.nextInt(r.nextBoolean() ? 12 : 60);
        int w = 1 + r.nextInt(r.nextBoolean() ? 20 : 90);
        int kh = spp ? new int[] {5, 9, 13}[r.nextInt(3)] : new int[] {3, 3, 2, 1 + r.nextInt(7)}[r.nextInt(4)];
        int kw = spp || r.nextInt(4) != 0 ? kh : 1 + r.nextInt(7);
        int sh = spp ? 1 : r.nextInt(8) == 0 ? 3 : 1 + r.nextInt(2);
        int sw = spp ? 1 : r.nextInt(5) == 0 ? 1 + r.nextInt(3) : sh;
        int dh = r.nextInt(6) == 0 ? 2 : 1;
        int dw = r.nextInt(6) == 0 ? 2 : dh;
        int[] pads = new int[4];
        for (int i = 0; i < 4; i++) {
            int k = i % 2 == 0 ? kh : kw;
            pads[i] = spp ? k / 2 : r.nextInt(3) == 0 ? 0 : r.nextInt(k);
        }
        PoolLayer l = KernelProperties.poolLayer(r, h, w, kh, kw, sh, sw, dh, dw, pads, 40);
        return l != null ? l : layer(r);
    }

    private static float[] reference(Pooling op, ConvGeometry g, float[] in) {
        Tensor x = Tensor.wrap(ElementType.F32, new int[] {g.batch(), g.inChannels(), g.inH(), g.inW()}, in);
        Tensor y = Tensor.allocate(ElementType.F32, g.batch(), g.inChannels(), g.outH(), g.outW());
        op.evaluate(new Tensor[] {x}, new Tensor[] {y});
        return y.floats();
    }

    /** {@code pool} on the NCHW batch, reordered on the test's side, items shuffled, output first set to NaN. */
    private static float[] runBlocked(Random r, BlockedPool pool, ConvGeometry g, float[] in) {
        int c = g.inChannels();
        int inImage = BlockedReorder.blockedSize(c, g.inH(), g.inW());
        int outImage = BlockedReorder.blockedSize(c, g.outH(), g.outW());
        int inLead = r.nextInt(40);
        int outLead = r.nextInt(40);
        float[] inB = RandomData.uniform(r, inLead + g.batch() * inImage + r.nextInt(3));
        float[] outB = new float[outLead + g.batch() * outImage + r.nextInt(3)];
        Arrays.fill(outB, Float.NaN);
        for (int n = 0; n < g.batch(); n++) {
            BlockedReorder.toBlocked(in, n * c * g.inH() * g.inW(), inB, inLead + n * inImage, c, g.inH(), g.inW());
            BlockedDepthwiseJitPropertyTest.fillPaddedLanes(r, inB, inLead + n * inImage, c, g.inH() * g.inW());
        }
        float[] out = new float[g.batch() * c * g.outH() * g.outW()];
        for (int n = 0; n < g.batch(); n++) {
            for (int item : KernelPropertiesShuffle.order(r, pool.items())) {
                pool.runItem(inB, inLead + n * inImage, outB, outLead + n * outImage, item);
            }
            BlockedReorder.fromBlocked(outB, outLead + n * outImage, out, n * c * g.outH() * g.outW(), c, g.outH(),
                    g.outW());
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void generatedPoolingMatchesTheReference(Jit.Isa isa) {
        KernelProperties.trials(isa, 6161, 400, (r, trial) -> check(r, isa, trial));
    }

    @Test
    void vectorPoolingMatchesTheReference() {
        Random r = new Random(6262);
        for (int trial = 0; trial < 300; trial++) {
            check(r, null, trial);
        }
    }

    private static void check(Random r, Jit.Isa isa, int trial) {
        {
            PoolLayer l = layer(r);
            ConvGeometry g = l.g();
            float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
            if (l.max() && r.nextInt(4) == 0) {
                for (int i = 0; i < 3; i++) {
                    in[r.nextInt(in.length)] = Float.NaN;
                }
            }
            BlockedPool pool = l.max() ? BlockedPool.max(g, isa)
                    : BlockedPool.average(g, l.excludePad(), l.padBottom(), l.padRight(), isa);
            if (!l.max() && !l.ceil() && r.nextBoolean() && isa == Jit.isa("blocked")) {
                // In floor mode the padding to the last window's end counts the same positions.
                pool = BlockedPool.average(g, l.excludePad());
            }
            assertEquals(isa == null ? "vector" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize()
                    : "jit_" + isa.label(), pool.implementation());
            float[] expected = reference(l.op(), g, in);
            float[] actual = runBlocked(r, pool, g, in);
            for (int i = 0; i < expected.length; i++) {
                int at = i;
                float tol = l.max() ? 0f : 2e-6f * (1 + Math.abs(expected[i]));
                assertEquals(expected[i], actual[i], tol, () -> "trial " + trial + " " + l + " at " + at);
            }
        }
    }

    @Test
    void globalAverageMatchesTheReference() {
        Random r = new Random(17);
        for (int trial = 0; trial < 100; trial++) {
            int c = 1 + r.nextInt(70);
            int h = 1 + r.nextInt(15);
            int w = 1 + r.nextInt(15);
            int n = 1 + r.nextInt(2);
            WindowGeometry win = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0},
                    new long[] {0, 0}, AutoPad.EXPLICIT, false);
            ConvGeometry g = new ConvGeometry(n, c, h, w, c, 1, 1, h, w, 1, 1, 1, 1, 0, 0, c);
            float[] in = RandomData.uniform(r, n * c * h * w);
            float[] expected = reference(new AvgPool(new long[] {h, w}, win, false), g, in);
            BlockedPool pool = BlockedPool.globalAverage(c, h, w);
            float[] actual = runBlocked(r, pool, g, in);
            for (int i = 0; i < expected.length; i++) {
                int at = i;
                int t = trial;
                assertEquals(expected[i], actual[i], 2e-6f * (1 + Math.abs(expected[i])),
                        () -> "trial " + t + " " + g + " at " + at);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        KernelProperties.random(isa, 0);
        ConvGeometry g = KernelProperties.geometry(1, 20, 9, 13, 20, 3, 3, 2, 1, 1, 20);
        BlockedPool pool = BlockedPool.max(g, isa);
        assertEquals("jit_" + isa.label(), pool.implementation());
        int inSize = BlockedReorder.blockedSize(20, 9, 13);
        int outSize = BlockedReorder.blockedSize(20, g.outH(), g.outW());
        for (int item = 0; item < pool.items(); item++) {
            int i = item;
            pool.runItem(new float[inSize], 0, new float[outSize], 0, i);
            assertThrows(IndexOutOfBoundsException.class,
                    () -> pool.runItem(new float[inSize], 1, new float[outSize], 0, i));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> pool.runItem(new float[inSize], 0, new float[outSize - 1], 0, i));
        }
        assertThrows(IndexOutOfBoundsException.class,
                () -> pool.runItem(new float[inSize], 0, new float[outSize], 0, pool.items()));
    }
}
