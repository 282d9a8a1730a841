package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;

/**
 * An INT8 convolution whose sums could pass 2^24, where float sums stop being exact (deep layers: 3×3 over 512
 * channels is K = 4,608), cut into blocks of input channels whose sums cannot: each block is an f32
 * {@link ConvKernel} on the codes (whichever strategy suits its shape), and the blocks' exact partial sums are added
 * in int32. A block is as many channels as keep every output row's bound Σ|w|·max|a| below 2^24, from the actual
 * weights. One image, one group (what the models here have); others take {@link QuantizedConvKernel}'s K-block path.
 */
final class ChannelBlockedConv {
    private final ConvGeometry g;
    /** Block b covers input channels [first[b], first[b + 1]). */
    private final int[] first;
    private final ConvKernel[] blocks;
    private final PostOps post;

    static boolean suits(ConvGeometry g) {
        return g.groups() == 1 && g.batch() == 1;
    }

    /** @param weightCodes [Cout, Cin, KH, KW] integer codes */
    ChannelBlockedConv(ConvGeometry g, float[] weightCodes, int maxAbsCode, PostOps post) {
        this.g = g;
        this.post = post;
        int cin = g.inChannels();
        int cout = g.outChannels();
        int taps = g.kernelH() * g.kernelW();
        // Per input channel, the largest sum of |w| over its taps in any output row: a block's row sums are at most
        // the sum of these over its channels.
        double[] perChannel = new double[cin];
        for (int r = 0; r < cout; r++) {
            for (int c = 0; c < cin; c++) {
                double sum = 0;
                for (int t = 0; t < taps; t++) {
                    sum += Math.abs(weightCodes[(r * cin + c) * taps + t]);
                }
                perChannel[c] = Math.max(perChannel[c], sum);
            }
        }
        int[] starts = new int[cin + 1];
        int count = 0;
        double bound = 0;
        for (int c = 0; c < cin; c++) {
            if (c == 0 || (bound + perChannel[c]) * maxAbsCode >= QuantizedConvKernel.EXACT) {
                starts[count++] = c;
                bound = 0;
            }
            bound += perChannel[c];
        }
        starts[count] = cin;
        this.first = java.util.Arrays.copyOf(starts, count + 1);
        this.blocks = new ConvKernel[count];
        for (int b = 0; b < count; b++) {
            int c0 = first[b];
            int cb = first[b + 1] - c0;
            float[] w = new float[cout * cb * taps];
            for (int r = 0; r < cout; r++) {
                System.arraycopy(weightCodes, (r * cin + c0) * taps, w, r * cb * taps, cb * taps);
            }
            ConvGeometry part = new ConvGeometry(1, cb, g.inH(), g.inW(), cout, g.outH(), g.outW(), g.kernelH(),
                    g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.padTop(), g.padLeft(), 1);
            blocks[b] = new ConvKernel(part, w, PostOps.NONE);
        }
    }

    /** The strategy of the first block, for per-layer counters. */
    String strategy() {
        return blocks[0].strategy() + "_int32_blocks";
    }

    Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per request: each block's input codes, its partial sums and the int32 totals. */
    final class Scratch {
        private final float[][] codes;
        private final ConvKernel.Scratch[] perBlock;
        private final float[] partial;
        private final int[] sums;

        Scratch(int threads) {
            int plane = g.inH() * g.inW();
            codes = new float[blocks.length][];
            perBlock = new ConvKernel.Scratch[blocks.length];
            for (int b = 0; b < blocks.length; b++) {
                codes[b] = new float[(first[b + 1] - first[b]) * plane];
                perBlock[b] = blocks[b].newScratch(threads);
            }
            partial = new float[g.outChannels() * g.outH() * g.outW()];
            sums = new int[partial.length];
        }
    }

    /**
     * {@code in} holds values quantized here by {@code quantizer}, or codes already when it is {@code null};
     * {@code residual} may be {@code null} unless the post-ops add one.
     */
    void run(float[] in, ActivationQuantizer quantizer, float[] out, float[] residual, Scratch s, WorkerPool pool) {
        int plane = g.inH() * g.inW();
        for (int b = 0; b < blocks.length; b++) {
            int from = first[b] * plane;
            int n = (first[b + 1] - first[b]) * plane;
            if (quantizer == null) {
                System.arraycopy(in, from, s.codes[b], 0, n);
            } else {
                quantizer.quantize(in, from, s.codes[b], 0, n);
            }
            blocks[b].run(s.codes[b], s.partial, null, s.perBlock[b], pool);
            QuantizedConvKernel.addExact(s.partial, s.sums, 0, s.partial.length, b == 0);
        }
        int spatial = g.outH() * g.outW();
        for (int r = 0; r < g.outChannels(); r++) {
            QuantizedConvKernel.toFloat(s.sums, r * spatial, out, r * spatial, spatial);
            post.apply(out, r * spatial, spatial, r, residual);
        }
    }
}
