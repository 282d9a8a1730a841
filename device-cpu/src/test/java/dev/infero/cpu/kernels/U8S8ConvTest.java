package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The u8×s8 layout ({@link U8S8Conv}) with its plain-Java tiles: int32 sums equal a long-integer convolution exactly on
 * odd sizes, padding, strides, dilations, groups, batches and extreme codes, and a whole layer (values quantized here,
 * or codes from the layer before; scale, bias, residual, activation, codes written for the next layer) gives the
 * existing INT8 kernel's results bit for bit. Generated tiles are tested against these tiles (module's jit tests).
 */
class U8S8ConvTest {
    @ParameterizedTest(name = "n{0} c{1} {2}x{3} -> {4} k{5}x{6} s{7} d{8} p{9} g{10} signed {11} extreme {12}")
    @CsvSource({
            "1, 3, 29, 31, 7, 3, 3, 1, 1, 1, 1, false, false",
            "2, 6, 9, 11, 6, 3, 3, 2, 1, 1, 2, true, false",
            "1, 5, 13, 7, 13, 1, 1, 1, 1, 0, 1, true, false",
            "1, 8, 10, 10, 3, 1, 1, 2, 1, 0, 1, false, false",
            "1, 4, 12, 9, 8, 5, 3, 2, 1, 2, 4, false, false",
            "2, 3, 15, 14, 3, 3, 3, 1, 2, 2, 1, true, false",
            "1, 32, 30, 30, 10, 3, 3, 1, 1, 1, 1, false, false",
            "1, 3, 23, 17, 5, 7, 7, 2, 1, 3, 1, false, false",
            "1, 7, 9, 9, 11, 3, 3, 3, 2, 0, 1, true, false",
            "1, 512, 6, 5, 3, 3, 3, 1, 1, 1, 1, false, true",
            "1, 512, 5, 6, 3, 3, 3, 1, 1, 1, 1, true, true",
            "1, 1000, 4, 7, 13, 1, 1, 1, 1, 0, 1, false, true",
            "2, 64, 8, 8, 70, 1, 1, 1, 1, 0, 1, true, false",
            "1, 1024, 4, 5, 6, 3, 3, 1, 1, 1, 2, true, true",
    })
    void sumsAreExact(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int dilation, int pad,
                      int groups, boolean signed, boolean extreme) {
        ConvGeometry g = KernelProperties.geometry(n, cin, h, w, cout, kh, kw, stride, dilation, pad, groups);
        Random r = new Random(cin * 31L + cout + (signed ? 7 : 0));
        ActivationQuantizer q = signed ? KernelProperties.SIGNED : KernelProperties.UNSIGNED;
        float[] x = KernelProperties.activationCodes(r, n * cin * h * w, signed, extreme);
        float[] wq = KernelProperties.weightCodes(r, cout * g.patchSize(), -128, extreme);
        long[] expected = QuantizedConvKernelTest.reference(g, x, wq);
        for (U8S8Conv.Form form : U8S8Conv.Form.values()) {
            U8S8Conv layout = new U8S8Conv(g, wq, q, form);
            QuantizedConvKernel kernel = new QuantizedConvKernel(g, wq, q, PostOps.NONE)
                    .onTiles(layout, layout.referenceTiles());
            assertEquals("ref_u8s8", kernel.strategy());
            try (WorkerPool pool = new WorkerPool(2, "t")) {
                for (QuantizedConvKernel k : new QuantizedConvKernel[] {kernel, kernel.readingCodes()}) {
                    float[] out = new float[n * cout * g.outH() * g.outW()];
                    k.run(x, out, null, k.newScratch(2), pool);
                    for (int i = 0; i < out.length; i++) {
                        assertEquals((float) expected[i], out[i], form + " output " + i
                                + (k == kernel ? "" : " reading codes"));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "k{0} s{1} p{2} relu {3} residual {4} codes out {5}")
    @CsvSource({
            "3, 1, 1, true, false, false",
            "1, 1, 0, false, true, false",
            "3, 2, 1, true, false, true",
            "1, 2, 0, false, false, true",
            "5, 1, 2, false, true, true",
    })
    void aLayerGivesTheExistingKernelsResultsBitForBit(int k, int stride, int pad, boolean relu, boolean residual,
                                                       boolean codesOut) {
        Random r = new Random(k * 7L + stride);
        ConvGeometry g = KernelProperties.geometry(2, 19, 17, 13, 21, k, k, stride, 1, pad, 1);
        ActivationQuantizer q = ActivationQuantizer.of(-1.6f, 1.6f * 127 / 128, 256);
        float[] x = new float[2 * 19 * 17 * 13];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] wq = new float[21 * g.patchSize()];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = r.nextInt(256) - 128;
        }
        float[] scale = new float[21];
        float[] bias = new float[21];
        for (int c = 0; c < 21; c++) {
            scale[c] = 1e-4f * (1 + r.nextFloat());
            bias[c] = r.nextFloat() - 0.5f;
        }
        PostOps post = new PostOps(bias, residual, relu ? PostOps.Activation.RELU : PostOps.Activation.NONE, 0, 0)
                .scaledBy(scale);
        int outSize = 2 * 21 * g.outH() * g.outW();
        float[] res = new float[outSize];
        for (int i = 0; i < res.length; i++) {
            res[i] = r.nextFloat();
        }
        ActivationQuantizer[] next = new ActivationQuantizer[21];
        java.util.Arrays.fill(next, ActivationQuantizer.of(0f, 2f, 256));
        QuantizedConvKernel floats = new QuantizedConvKernel(g, wq, q, post);
        QuantizedConvKernel tiles = floats.onTiles(new U8S8Conv(g, wq, q), new U8S8Conv(g, wq, q).referenceTiles());
        if (codesOut) {
            floats = floats.writingCodes(next);
            tiles = tiles.writingCodes(next);
        }
        try (WorkerPool pool = new WorkerPool(2, "t")) {
            float[] want = new float[outSize];
            floats.run(x, want, residual ? res : null, floats.newScratch(2), pool);
            float[] got = new float[outSize];
            tiles.run(x, got, residual ? res : null, tiles.newScratch(2), pool);
            for (int i = 0; i < outSize; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "output " + i);
            }
        }
    }

    @Test
    void tileCallsOutsideTheArraysAreRefused() {
        ConvGeometry g = KernelProperties.geometry(1, 8, 9, 9, 4, 3, 3, 1, 1, 1, 1);
        float[] wq = new float[4 * g.patchSize()];
        U8S8Conv layout = new U8S8Conv(g, wq, KernelProperties.UNSIGNED);
        int[] in = new int[layout.inputInts()];
        float[] out = new float[layout.scratchFloats()];
        U8S8Conv.Tiles t = layout.referenceTiles();
        t.run(in, 0, out, 0, 0, 1, -1L, 0, null);
        assertThrows(IllegalStateException.class, () -> t.run(in, in.length - 10, out, 0, 0, 1, -1L, 0, null));
        assertThrows(IllegalStateException.class, () -> t.run(in, 0, out, out.length - 10, 0, 1, -1L, 0, null));
        assertThrows(IllegalStateException.class, () -> t.run(in, 0, out, 0, 1, 1, -1L, 0, null));
        assertThrows(IllegalStateException.class, () -> t.run(in, 0, out, 0, 0, 1, 0L, 0, null));
        assertThrows(IllegalStateException.class, () -> t.run(in, -1, out, 0, 0, 1, -1L, 0, null));
    }
}
