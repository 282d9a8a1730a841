package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import dev.infero.cpu.kernels.U8S8Stem;
import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.step.QuantizedConvolutionStep;

/**
 * Recognises a (Group)Convolution of an INT8 model in OpenVINO's form — its data input a per-tensor FakeQuantize
 * with an integer zero point, its weights INT8 codes times one scale per output channel
 * ({@code Multiply(Convert(i8 Const), scale)}, possibly reshaped) — and runs it on the codes: the step reads the
 * FakeQuantize's input and quantizes it itself, and the post-ops dequantize with {@code step · scale[c]}. Anything
 * else (fractional zero point, per-channel activation ranges, float weights) is left to the float kernels.
 */
final class QuantizedConvolution {
    private QuantizedConvolution() {
    }

    /**
     * The INT8 plan for {@code conv}, or {@code null}. {@code post} are the fused post-ops without any per-channel
     * scale; {@code scale} a folded BatchNorm's scale, or {@code null}.
     */
    static Int8Plan plan(Node conv, ConvGeometry g, PostOps post, float[] scale) {
        if (g.isDepthwise()) {
            return null; // one output row per group: the window kernel beats a GEMM; its FakeQuantize runs alone
        }
        Node fq = conv.input(0).node();
        ActivationQuantizer quantizer = Int8Patterns.quantizerOf(fq);
        float[][] weights = quantizer == null ? null : Int8Patterns.weightCodes(conv.input(1), g.outChannels());
        if (weights == null) {
            return null;
        }
        float[] dequantize = new float[g.outChannels()];
        for (int c = 0; c < dequantize.length; c++) {
            dequantize[c] = (float) (quantizer.step() * weights[1][c] * (scale == null ? 1 : scale[c]));
        }
        QuantizedConvKernel kernel = new QuantizedConvKernel(g, weights[0], quantizer, post.scaledBy(dequantize));
        kernel = withGeneratedTiles(kernel, g, weights[0], quantizer);
        return new Int8Plan(fq, fq.input(0), new QuantizedConvolutionStep(kernel, post));
    }

    /**
     * {@code kernel} on integer tiles generated for this layer ({@link U8S8ConvTiles}: {@code vpdpbusd} with
     * AVX512_VNNI, {@code vpmaddwd} on AVX2) when the JIT is on, else as it is; a few-channel stem in the
     * quads-over-taps layout ({@link U8S8Stem}).
     */
    static QuantizedConvKernel withGeneratedTiles(QuantizedConvKernel kernel, ConvGeometry g, float[] weightCodes,
                                                  ActivationQuantizer quantizer) {
        boolean stems = U8S8Stem.enabled();
        if (!U8S8Conv.fits(g)) {
            return kernel;
        }
        U8S8Conv.Form form = U8S8ConvTiles.form();
        if (form == null) {
            return kernel;
        }
        // A few-channel stem takes its quads over the taps (U8S8Stem), other layers over the channels.
        U8S8Conv layout = stems && U8S8Stem.applies(g)
                ? U8S8Conv.overTaps(g, weightCodes, quantizer, form)
                : new U8S8Conv(g, weightCodes, quantizer, form);
        U8S8Conv.Tiles tiles = U8S8ConvTiles.create(layout);
        return tiles == null ? kernel : kernel.onTiles(layout, tiles);
    }

}
