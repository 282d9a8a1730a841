package dev.infero.cpu.kernels;

import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BackpropConvolutionBase;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolutionBackpropData;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.Jit;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DeconvKernel} (GEMM and col2im) agrees with the reference ConvolutionBackpropData and
 * GroupConvolutionBackpropData on random geometries: strides 1–4, kernels 1–5 (not square), dilation, padding
 * (also more than the kernel reaches), output padding, groups, batch, channels across KC blocks, random post-ops
 * (scale, bias, every activation), 1 and 2 threads, bands of 1 to 3 input rows or the whole input; on the generated micro-kernel of each ISA and on the Vector API
 * one (the JIT off). Each trial runs the kernel first on other values, its output then NaN-filled.
 */
class DeconvKernelPropertyTest {
    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void generatedProductMatchesTheReference(Jit.Isa isa) {
        KernelProperties.trials(isa, 41, 40, (r, t) -> trial(r, t, MicroKernel.of(isa)));
    }

    @Test
    void vectorProductMatchesTheReference() {
        Random r = new Random(43);
        for (int t = 0; t < 40; t++) {
            trial(r, t, MicroKernel.VECTOR);
        }
    }

    private static void trial(Random r, int trial, MicroKernel micro) {
        int groups = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 1;
        int cinG = 1 + r.nextInt(trial % 10 == 0 ? 300 : 24);
        int coutG = 1 + r.nextInt(20);
        int kh = 1 + r.nextInt(5);
        int kw = r.nextInt(3) == 0 ? 1 + r.nextInt(5) : kh;
        int sh = 1 + r.nextInt(4);
        int sw = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : sh;
        int dil = r.nextInt(5) == 0 ? 2 : 1;
        int h = 1 + r.nextInt(14);
        int w = 1 + r.nextInt(trial % 3 == 0 ? 40 : 14);
        int[] padsBegin = {r.nextInt(kh + 1), r.nextInt(kw + 1)};
        int[] padsEnd = {r.nextInt(kh + 1), r.nextInt(kw + 1)};
        int[] outPad = {r.nextInt(sh), r.nextInt(sw)};
        int oh = sh * (h - 1) + dil * (kh - 1) + 1 + outPad[0] - padsBegin[0] - padsEnd[0];
        int ow = sw * (w - 1) + dil * (kw - 1) + 1 + outPad[1] - padsBegin[1] - padsEnd[1];
        if (oh <= 0 || ow <= 0) {
            return;
        }
        int batch = 1 + r.nextInt(2);
        int cin = groups * cinG;
        int cout = groups * coutG;
        WindowGeometry window = new WindowGeometry(new long[] {sh, sw}, new long[] {dil, dil},
                new long[] {padsBegin[0], padsBegin[1]}, new long[] {padsEnd[0], padsEnd[1]}, AutoPad.EXPLICIT, false);
        long[] outputPadding = {outPad[0], outPad[1]};
        BackpropConvolutionBase op = groups > 1 || r.nextBoolean()
                ? new GroupConvolutionBackpropData(window, outputPadding)
                : new ConvolutionBackpropData(window, outputPadding);
        int[] wShape = op instanceof GroupConvolutionBackpropData ? new int[] {groups, cinG, coutG, kh, kw}
                : new int[] {cin, coutG, kh, kw};
        float[] weights = RandomData.uniform(r, cin * coutG * kh * kw);
        DeconvKernel.Geometry g = new DeconvKernel.Geometry(batch, cin, h, w, cout, oh, ow, kh, kw, sh, sw, dil, dil,
                op.padBegin(0, h, kh, null), op.padBegin(1, w, kw, null), groups);
        PostOps.Activation[] acts = PostOps.Activation.values();
        PostOps post = KernelProperties.randomPostOps(r, cout, acts[r.nextInt(acts.length)], false);
        int threads = 1 + r.nextInt(2);
        int bandFloats = r.nextBoolean() ? DeconvKernel.BAND_FLOATS : 1 + r.nextInt(coutG * kh * kw * w * 3);
        DeconvKernel kernel = new DeconvKernel(g, weights, post, micro, bandFloats);
        DeconvKernel.Scratch scratch = kernel.newScratch(threads);
        float[] in = RandomData.uniform(r, batch * cin * h * w);
        int outLen = batch * cout * oh * ow;
        int plane = oh * ow;
        KernelProperties.Kernel reference = (x, y, res, pool) -> {
            Tensor out = Tensor.allocate(ElementType.F32, batch, cout, oh, ow);
            op.evaluate(new Tensor[] {Tensor.of(x, batch, cin, h, w), Tensor.of(weights, wShape)},
                    new Tensor[] {out});
            System.arraycopy(out.floats(), 0, y, 0, outLen);
            for (int i = 0; i < batch * cout; i++) {
                post.apply(y, i * plane, plane, i % cout, null);
            }
        };
        KernelProperties.Kernel tested = (x, y, res, pool) -> kernel.run(x, y, scratch, pool);
        KernelProperties.assertSameOutputs(r, in, null, outLen, threads, reference, tested,
                KernelProperties.relative(2e-4f), () -> micro.implementation() + " trial " + trial + " " + g);
    }
}
