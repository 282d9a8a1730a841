package dev.infero.cpu.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated INT8 tiles against the plain-Java tiles of the same layout ({@link U8S8Conv#referenceTiles}) and against
 * the Vector API INT8 kernel, bit for bit (with scale, bias, residual, ReLU / PReLU / leaky ReLU and the next layer's
 * codes in the generated code's registers or in Java),
 * on random shapes: odd sizes, channel counts that are not multiples of 4 or of the 6-row block, tails of every
 * width, padding, strides, dilations, groups, batch > 1, 1 and 2 threads, values and codes in, codes out; both
 * forms: {@code vpdpbusd} on u8 quads (AVX512_VNNI) and {@code vpmaddwd} on s16 pairs (AVX2, which runs on AVX-512
 * machines too). Skipped where the CPU cannot run a form or the JIT is off.
 */
class U8S8ConvTilesTest {
    @ParameterizedTest
    @EnumSource(U8S8Conv.Form.class)
    void generatedTilesEqualTheReferenceOnRandomShapes(U8S8Conv.Form form) {
        boolean vnni = form == U8S8Conv.Form.U8_QUADS;
        assumeTrue(Jit.isa() != null, "JIT off or unsupported here");
        assumeTrue(vnni ? Jit.Isa.AVX512.supported() && CpuFeatures.host().avx512vnni() : Jit.Isa.AVX2.supported(),
                "the CPU cannot run " + form);
        Random r = new Random(vnni ? 12 : 13);
        try (WorkerPool one = new WorkerPool(1, "t1"); WorkerPool two = new WorkerPool(2, "t2")) {
            for (int trial = 0; trial < 60; trial++) {
                int k = 1 + r.nextInt(4);
                int stride = 1 + r.nextInt(trial % 3 == 0 ? 3 : 1);
                int dilation = 1 + (trial % 7 == 0 ? 1 : 0);
                int groups = trial % 5 == 0 ? 1 + r.nextInt(3) : 1;
                int cin = groups * (1 + r.nextInt(trial % 4 == 0 ? 40 : 11));
                int cout = groups * (1 + r.nextInt(trial % 4 == 1 ? 30 : 14));
                int h = k + r.nextInt(25);
                int w = k + r.nextInt(trial % 6 == 0 ? 90 : 25);
                int pad = r.nextInt(k);
                int batch = 1 + r.nextInt(2);
                int oh = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
                int ow = (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
                if (oh < 1 || ow < 1) {
                    continue;
                }
                ConvGeometry g = new ConvGeometry(batch, cin, h, w, cout, oh, ow, k, k, stride, stride, dilation,
                        dilation, pad, pad, groups);
                if (g.isDepthwise()) {
                    continue;
                }
                float low = -r.nextFloat() * 2;
                ActivationQuantizer q = ActivationQuantizer.of(low, -low * 127 / 128 + (trial % 2 == 0 ? 1 : 0),
                        256);
                if (q == null) {
                    q = ActivationQuantizer.of(0f, 3f, 256);
                }
                float[] x = new float[batch * cin * h * w];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian() * (trial % 9 == 0 ? 100 : 1);
                }
                float[] wq = new float[cout * g.patchSize()];
                for (int i = 0; i < wq.length; i++) {
                    wq[i] = trial % 8 == 0 ? (i % 3 == 0 ? 127 : -128) : r.nextInt(256) - 128;
                }
                float[] scale = new float[cout];
                float[] bias = new float[cout];
                for (int c = 0; c < cout; c++) {
                    scale[c] = 1e-3f * r.nextFloat();
                    bias[c] = r.nextFloat() - 0.5f;
                }
                // Every epilogue the tiles fuse: ReLU, PReLU (per-channel slopes), leaky ReLU, sigmoid, swish or none,
                // with and without a residual.
                boolean residual = trial % 5 >= 2;
                float[] slopes = new float[cout];
                for (int c = 0; c < cout; c++) {
                    slopes[c] = r.nextFloat() - 0.25f;
                }
                int kind = trial / 3 % 6;
                PostOps post = (switch (kind) {
                    case 0 -> new PostOps(bias, residual, PostOps.Activation.RELU, 0, 0);
                    case 1 -> PostOps.withPerChannelSlopes(bias, residual, slopes);
                    case 2 -> new PostOps(bias, residual, PostOps.Activation.LEAKY_RELU, 0.1f, 0);
                    case 3 -> new PostOps(bias, residual, PostOps.Activation.SIGMOID, 0, 0);
                    case 4 -> new PostOps(bias, residual, PostOps.Activation.SWISH, 1f, 0);
                    default -> new PostOps(bias, residual, PostOps.Activation.NONE, 0, 0);
                }).scaledBy(scale);
                // Sigmoid and swish: the generated exp, which the Java tiles state exactly, is within 2e-6 relative of
                // the Vector API's, so against that kernel values agree within that and codes within one level.
                boolean exp = kind == 3 || kind == 4;
                float[] res = null;
                if (residual) {
                    res = new float[batch * cout * oh * ow];
                    for (int i = 0; i < res.length; i++) {
                        res[i] = (float) r.nextGaussian();
                    }
                }
                U8S8Conv layout = new U8S8Conv(g, wq, q, form);
                U8S8ConvTiles jit = new U8S8ConvTiles(layout);
                QuantizedConvKernel base = new QuantizedConvKernel(g, wq, q, post);
                QuantizedConvKernel ref = base.onTiles(layout, layout.referenceTiles());
                QuantizedConvKernel gen = base.onTiles(layout, jit);
                assertEquals(vnni ? "jit_avx512_vnni" : "jit_avx2", gen.strategy());
                QuantizedConvKernel vec = base;
                if (trial % 3 == 1) {
                    ref = ref.readingCodes();
                    gen = gen.readingCodes();
                    vec = vec.readingCodes();
                    ActivationQuantizer qq = q;
                    for (int i = 0; i < x.length; i++) {
                        x[i] = qq.level(x[i]) - qq.zeroPoint();
                    }
                }
                if (trial % 3 == 2) {
                    ActivationQuantizer[] next = new ActivationQuantizer[cout];
                    java.util.Arrays.fill(next, ActivationQuantizer.of(0f, 1f, 256));
                    ref = ref.writingCodes(next);
                    gen = gen.writingCodes(next);
                    vec = vec.writingCodes(next);
                }
                WorkerPool pool = trial % 2 == 0 ? one : two;
                float[] want = new float[batch * cout * oh * ow];
                ref.run(x, want, res, ref.newScratch(pool.threads()), pool);
                float[] got = new float[want.length];
                java.util.Arrays.fill(got, Float.NaN);
                gen.run(x, got, res, gen.newScratch(pool.threads()), pool);
                float[] vector = new float[want.length];
                vec.run(x, vector, res, vec.newScratch(pool.threads()), pool);
                for (int i = 0; i < want.length; i++) {
                    // With sigmoid or swish only the generated AVX-512 tiles and the Java tiles compute the same exp
                    // (the AVX2 tiles leave the post-ops to the Java ones, whose exp differs by ulps).
                    if (!exp || vnni) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                "trial " + trial + " " + g + ": output " + i);
                    }
                    if (exp) {
                        float tolerance = trial % 3 == 2 ? 1f : 4e-6f * (1 + Math.abs(vector[i]));
                        assertEquals(want[i], got[i], tolerance, "trial " + trial + " " + g + ": output " + i);
                        assertEquals(vector[i], got[i], tolerance,
                                "trial " + trial + " " + g + ": output " + i + " against the Vector API kernel");
                    } else {
                        assertEquals(Float.floatToRawIntBits(vector[i]), Float.floatToRawIntBits(got[i]),
                                "trial " + trial + " " + g + ": output " + i + " against the Vector API kernel");
                    }
                }
            }
        }
    }

    /**
     * The last tile of an image computes only the 16-position vectors its mask reaches (1–4): output sizes whose
     * last tile has 1, 15, 16, 17, 32, 33, 48, 49, 63 and 64 positions, 1×1 (every channel quad unrolled or in the
     * loop) and 3×3 with padding and stride 2, 1 and 2 threads (chunk ends inside an image), channel counts off the
     * 6-row block; generated = Java tiles bit for bit, outputs never written left as NaN would fail.
     */
    @Test
    void narrowLastTilesKeepEveryPositionAndChannelQuad() {
        assumeTrue(Jit.isa() == Jit.Isa.AVX512 && CpuFeatures.host().avx512vnni(), "no AVX512_VNNI here");
        Random r = new Random(21);
        int[][] sizes = {{1, 1}, {3, 5}, {4, 4}, {1, 17}, {4, 8}, {3, 11}, {6, 8}, {7, 7}, {9, 7}, {8, 8}, {14, 14},
            {28, 28}, {13, 13}};
        int[] channels = {3, 8, 13, 40};
        try (WorkerPool one = new WorkerPool(1, "t1"); WorkerPool two = new WorkerPool(2, "t2")) {
            for (int i = 0; i < sizes.length; i++) {
                for (int k : new int[] {1, 3}) {
                    int cin = channels[(i + k) % channels.length];
                    int cout = 1 + r.nextInt(20);
                    int stride = k == 3 && i % 3 == 0 ? 2 : 1;
                    int oh = sizes[i][0];
                    int ow = sizes[i][1];
                    int pad = k / 2;
                    int h = (oh - 1) * stride + k - 2 * pad;
                    int w = (ow - 1) * stride + k - 2 * pad;
                    ConvGeometry g = new ConvGeometry(1 + i % 2, cin, h, w, cout, oh, ow, k, k, stride, stride, 1, 1,
                            pad, pad, 1);
                    ActivationQuantizer q = ActivationQuantizer.of(-1f, 2f, 256);
                    float[] x = new float[g.batch() * cin * h * w];
                    for (int j = 0; j < x.length; j++) {
                        x[j] = (float) r.nextGaussian();
                    }
                    float[] wq = new float[cout * g.patchSize()];
                    for (int j = 0; j < wq.length; j++) {
                        wq[j] = r.nextInt(256) - 128;
                    }
                    float[] scale = new float[cout];
                    java.util.Arrays.fill(scale, 1e-3f);
                    PostOps post = new PostOps(new float[cout], false, PostOps.Activation.NONE, 0, 0).scaledBy(scale);
                    U8S8Conv layout = new U8S8Conv(g, wq, q, U8S8Conv.Form.U8_QUADS);
                    QuantizedConvKernel base = new QuantizedConvKernel(g, wq, q, post);
                    QuantizedConvKernel ref = base.onTiles(layout, layout.referenceTiles());
                    QuantizedConvKernel gen = base.onTiles(layout, new U8S8ConvTiles(layout));
                    WorkerPool pool = i % 2 == 0 ? one : two;
                    float[] want = new float[g.batch() * cout * oh * ow];
                    ref.run(x, want, null, ref.newScratch(pool.threads()), pool);
                    float[] got = new float[want.length];
                    java.util.Arrays.fill(got, Float.NaN);
                    gen.run(x, got, null, gen.newScratch(pool.threads()), pool);
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(Float.floatToRawIntBits(want[j]), Float.floatToRawIntBits(got[j]),
                                g + ": output " + j);
                    }
                }
            }
        }
    }

    /**
     * 1×1 layers reading u8 quads that a depthwise layer wrote into their input tensor ({@link U8S8Conv#readsQuads}):
     * on random shapes (channels 1–40, so the last quad's unused bytes hold garbage; planes below and above a tile;
     * batch 1–2; residual, ReLU / PReLU; values or codes out; 1 and 2 threads) the generated tiles reading the tensor
     * in place, and the Java tiles (whose runs copy the quads' bits into the packed input), give bit for bit what the
     * same kernels give reading the float codes. The AVX2 pair form never reads quads.
     */
    @ParameterizedTest
    @EnumSource(U8S8Conv.Form.class)
    void pointwiseLayersReadU8QuadsAsTheyReadCodes(U8S8Conv.Form form) {
        boolean vnni = form == U8S8Conv.Form.U8_QUADS;
        assumeTrue(Jit.isa() != null, "JIT off or unsupported here");
        assumeTrue(vnni ? Jit.Isa.AVX512.supported() && CpuFeatures.host().avx512vnni() : Jit.Isa.AVX2.supported(),
                "the CPU cannot run " + form);
        Random r = new Random(vnni ? 77 : 78);
        try (WorkerPool one = new WorkerPool(1, "t1"); WorkerPool two = new WorkerPool(2, "t2")) {
            for (int trial = 0; trial < 80; trial++) {
                int cin = 1 + r.nextInt(40);
                int cout = 1 + r.nextInt(30);
                int h = 1 + r.nextInt(trial % 2 == 0 ? 6 : 30);
                int w = 1 + r.nextInt(trial % 3 == 0 ? 5 : 40);
                int batch = 1 + r.nextInt(2);
                ConvGeometry g = new ConvGeometry(batch, cin, h, w, cout, h, w, 1, 1, 1, 1, 1, 1, 0, 0, 1);
                ActivationQuantizer q = ActivationQuantizer.of(-r.nextInt(129) / 64f, 2f, 256);
                if (q == null) {
                    q = ActivationQuantizer.of(0f, 2f, 256);
                }
                int plane = h * w;
                float[] codes = new float[batch * cin * plane];
                float[] quads = new float[codes.length];
                for (int i = 0; i < quads.length; i++) {
                    quads[i] = Float.intBitsToFloat(r.nextInt());
                }
                for (int n = 0; n < batch; n++) {
                    for (int c = 0; c < cin; c++) {
                        for (int p = 0; p < plane; p++) {
                            int level = r.nextInt(256);
                            codes[(n * cin + c) * plane + p] = level - q.zeroPoint();
                            int lane = (n * cin + c / 4) * plane + p;
                            int bits = Float.floatToRawIntBits(quads[lane]) & ~(0xff << 8 * (c % 4))
                                    | level << 8 * (c % 4);
                            quads[lane] = Float.intBitsToFloat(bits);
                        }
                    }
                }
                float[] wq = new float[cout * cin];
                for (int i = 0; i < wq.length; i++) {
                    wq[i] = r.nextInt(256) - 128;
                }
                float[] scale = new float[cout];
                float[] bias = new float[cout];
                float[] slopes = new float[cout];
                for (int c = 0; c < cout; c++) {
                    scale[c] = 1e-3f * r.nextFloat();
                    bias[c] = r.nextFloat() - 0.5f;
                    slopes[c] = r.nextFloat() - 0.25f;
                }
                boolean residual = r.nextBoolean();
                PostOps post = (r.nextBoolean() ? new PostOps(bias, residual, PostOps.Activation.RELU, 0, 0)
                        : PostOps.withPerChannelSlopes(bias, residual, slopes)).scaledBy(scale);
                float[] res = residual ? dev.infero.testing.RandomData.uniform(r, batch * cout * plane) : null;
                U8S8Conv layout = new U8S8Conv(g, wq, q, form);
                QuantizedConvKernel base = new QuantizedConvKernel(g, wq, q, post);
                for (QuantizedConvKernel k : new QuantizedConvKernel[] {base.onTiles(layout, new U8S8ConvTiles(layout)),
                        base.onTiles(layout, layout.referenceTiles())}) {
                    if (!vnni) {
                        assertEquals(false, k.canReadQuads(), g.toString());
                        continue;
                    }
                    QuantizedConvKernel onCodes = k.readingCodes();
                    QuantizedConvKernel onQuads = k.readingQuads();
                    if (trial % 3 == 2) {
                        ActivationQuantizer[] next = new ActivationQuantizer[cout];
                        java.util.Arrays.fill(next, ActivationQuantizer.of(0f, 1f, 256));
                        onCodes = onCodes.writingCodes(next);
                        onQuads = onQuads.writingCodes(next);
                    }
                    WorkerPool pool = trial % 2 == 0 ? one : two;
                    float[] want = new float[batch * cout * plane];
                    onCodes.run(codes, want, res, onCodes.newScratch(pool.threads()), pool);
                    float[] got = new float[want.length];
                    java.util.Arrays.fill(got, Float.NaN);
                    QuantizedConvKernel.Scratch s = onQuads.newScratch(pool.threads());
                    onQuads.run(quads, got, res, s, pool);
                    onQuads.run(quads, got, res, s, pool);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                "trial " + trial + " " + g + " " + k.strategy() + ": output " + i);
                    }
                }
            }
        }
    }

    @Test
    void callsOutsideTheArraysNeverReachTheGeneratedCode() {
        assumeTrue(Jit.isa() == Jit.Isa.AVX512 && CpuFeatures.host().avx512vnni(), "no AVX512_VNNI here");
        ConvGeometry g = new ConvGeometry(1, 8, 9, 9, 7, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        U8S8Conv layout = new U8S8Conv(g, new float[7 * g.patchSize()], ActivationQuantizer.of(0f, 1f, 256));
        U8S8ConvTiles jit = new U8S8ConvTiles(layout);
        Object state = jit.newState(1);
        int[] in = new int[layout.inputInts()];
        float[] out = new float[layout.scratchFloats()];
        jit.run(in, 0, out, 0, 0, 1, -1L, 0, state);
        assertThrows(IllegalStateException.class, () -> jit.run(in, in.length - 1, out, 0, 0, 1, -1L, 0, state));
        assertThrows(IllegalStateException.class, () -> jit.run(in, 0, out, out.length - 60, 0, 1, -1L, 0, state));
        assertThrows(IllegalStateException.class, () -> jit.run(in, 0, new float[10], 0, 0, 1, 1L, 0, state));
        assertThrows(IllegalStateException.class, () -> jit.run(in, 0, out, 0, 0, 100, -1L, 0, state));
    }
}
