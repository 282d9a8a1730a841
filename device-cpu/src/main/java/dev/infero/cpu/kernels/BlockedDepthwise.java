package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.BlockedDepthwiseKernel;
import dev.infero.cpu.jit.DepthwiseKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;

/**
 * A depthwise convolution on the channel-blocked layout nChw16c ({@link BlockedReorder}), input and output blocked,
 * with its post-ops: generated code ({@link BlockedDepthwiseKernel}) that keeps a block's 16 channels in the vector
 * lanes and reads the input rows in place. Any kernel height, widths up to {@link BlockedDepthwiseKernel#MAX_KW},
 * any strides, dilations and padding.
 *
 * <p>Threads: the layer is {@link #items()} items, (channel block × band of output rows), of about equal work; each
 * writes its own part of the output, so any items may run at once on any threads, in any order. Nothing per call is
 * kept in fields and nothing is allocated.
 */
public final class BlockedDepthwise implements BlockedLayerWork {
    private static final int BLOCK = BlockedDepthwiseKernel.BLOCK;
    /** Items the layer is cut into at least, where it has the rows: two threads, each claiming several. */
    static final int ITEMS = 8;

    private final ConvGeometry g;
    private final BlockedDepthwiseKernel kernel;
    /** Weights [cb][kh][kw][16], zero in padded lanes. */
    private final float[] weights;
    /** Per block, the post-op table ({@link BlockedDepthwiseKernel#TABLE} floats). */
    private final float[] table;
    private final int blocks;
    private final int bands;

    private BlockedDepthwise(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa,
                             DepthwiseKernel.Activation activation) {
        this.g = g;
        int c = g.inChannels();
        int taps = g.kernelH() * g.kernelW();
        this.blocks = BlockedReorder.blocks(c);
        this.weights = new float[blocks * taps * BLOCK];
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < taps; t++) {
                this.weights[(ch / BLOCK * taps + t) * BLOCK + ch % BLOCK] = weights[ch * taps + t];
            }
        }
        float[] scale = post.jitScale();
        float[] bias = post.jitBias();
        this.table = new float[blocks * BlockedDepthwiseKernel.TABLE];
        for (int ch = 0; ch < blocks * BLOCK; ch++) {
            // Padded channels: zero weights, scale 1, bias 0, and the activation's scalar constants.
            boolean real = ch < c;
            BlockedDepthwiseKernel.fillTable(table, ch / BLOCK * BlockedDepthwiseKernel.TABLE, ch % BLOCK,
                    real && scale != null ? scale[ch] : 1f, real && bias != null ? bias[ch] : 0f,
                    real ? post.jitAlpha(ch) : post.jitAlpha(), post.jitBeta());
        }
        this.kernel = new BlockedDepthwiseKernel(KernelCache.current(), new BlockedDepthwiseKernel.Key(isa, g.inW(),
                g.outW(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.padLeft(),
                scale != null, bias != null, post.hasResidual(), activation));
        this.bands = Math.max(1, Math.min(g.outH(), (ITEMS + blocks - 1) / blocks));
    }

    /**
     * The layer on generated code for {@code Jit.isa("blocked")}, or {@code null} when that is off
     * ({@code INFERO_JIT=off}, {@code -Dinfero.jit.blocked=off}) or the layer is not covered (not depthwise, a kernel
     * wider than {@link BlockedDepthwiseKernel#MAX_KW}, INT8 post-ops: int32 sums or codes).
     *
     * @param g       groups == inChannels == outChannels; batch is the caller's (one image per call, by offsets)
     * @param weights {@code [C][1][KH][KW]} as the op holds them
     */
    public static BlockedDepthwise of(ConvGeometry g, float[] weights, PostOps post) {
        return of(g, weights, post, Jit.isa("blocked"));
    }

    /** {@link #of(ConvGeometry, float[], PostOps)} with generated code for {@code isa} ({@code null}: none). */
    public static BlockedDepthwise of(ConvGeometry g, float[] weights, PostOps post, Jit.Isa isa) {
        if (isa == null || !isa.supported() || !g.isDepthwise() || g.kernelH() < 1 || g.outH() < 1
                || g.outW() < 1 || g.padTop() < 0 || g.padLeft() < 0) {
            return null;
        }
        DepthwiseKernel.Activation activation = post.depthwiseJitActivation();
        if (activation == null || !BlockedDepthwiseKernel.Key.supports(g.inW(), g.outW(), g.kernelW(), g.strideH(),
                g.strideW(), g.dilationH(), g.dilationW())) {
            return null;
        }
        if (weights.length != g.inChannels() * g.kernelH() * g.kernelW()) {
            throw new IllegalArgumentException("depthwise weights: " + weights.length + " values for "
                    + g.inChannels() + " channels of " + g.kernelH() + "×" + g.kernelW());
        }
        return new BlockedDepthwise(g, weights, post, isa, activation);
    }

    /** Items of one image: channel blocks × bands of output rows. */
    @Override
    public int items() {
        return blocks * bands;
    }

    /**
     * Computes item {@code item} of the image whose blocked input starts at {@code in[inOff]} and blocked output at
     * {@code out[outOff]}; {@code residual} (blocked like the output, read at the output's offsets) or {@code null}
     * when the post-ops add none. Extents are checked before the generated code runs
     * ({@link IndexOutOfBoundsException}).
     */
    public void runItem(float[] in, int inOff, float[] out, int outOff, float[] residual, int item) {
        if (item < 0 || item >= items()) {
            throw new IndexOutOfBoundsException("blocked depthwise item " + item + " of " + items());
        }
        checkImage("input", in, inOff, blocks * g.inH() * g.inW() * BLOCK);
        checkImage("output", out, outOff, blocks * g.outH() * g.outW() * BLOCK);
        if (kernel.key().residual()) {
            if (residual == null) {
                throw new IllegalArgumentException("blocked depthwise: the post-ops add a residual, none given");
            }
            checkImage("residual", residual, outOff, blocks * g.outH() * g.outW() * BLOCK);
        }
        int cb = item / bands;
        int band = item % bands;
        int y0 = (int) ((long) g.outH() * band / bands);
        int y1 = (int) ((long) g.outH() * (band + 1) / bands);
        int inBlock = inOff + cb * g.inH() * g.inW() * BLOCK;
        int outBlock = outOff + cb * g.outH() * g.outW() * BLOCK;
        int inRow = g.inW() * BLOCK;
        int outRow = g.outW() * BLOCK;
        int taps = g.kernelH() * g.kernelW();
        int wBlock = cb * taps * BLOCK;
        int tableOff = cb * BlockedDepthwiseKernel.TABLE;
        for (int y = y0; y < y1; ) {
            int lo = firstKernelRow(y);
            int hi = endKernelRow(y);
            // Following rows with the same kernel-row range run in the same call.
            int end = y + 1;
            while (end < y1 && firstKernelRow(end) == lo && endKernelRow(end) == hi) {
                end++;
            }
            int count = Math.max(0, hi - lo);
            int iy = y * g.strideH() - g.padTop() + lo * g.dilationH();
            kernel.run(in, count > 0 ? inBlock + iy * inRow : inBlock, weights,
                    wBlock + lo * g.kernelW() * BLOCK, out, outBlock + y * outRow, residual, table, tableOff,
                    end - y, count);
            y = end;
        }
    }

    /** Throws unless the image [off, off + size) lies in {@code a}. */
    static void checkImage(String what, float[] a, int off, int size) {
        if (off < 0 || (long) off + size > a.length) {
            throw new IndexOutOfBoundsException("blocked " + what + " image [" + off + ", " + ((long) off + size)
                    + ") outside an array of " + a.length);
        }
    }

    /** The first kernel row of output row y whose input row is inside (may be past the last: none is). */
    private int firstKernelRow(int y) {
        int top = g.padTop() - y * g.strideH();
        return top <= 0 ? 0 : Math.min(g.kernelH(), (top + g.dilationH() - 1) / g.dilationH());
    }

    /** One past the last kernel row of output row y whose input row is inside. */
    private int endKernelRow(int y) {
        // kh < (inH + padTop - y·sh) / dh, rounded up.
        long room = (long) g.inH() + g.padTop() - (long) y * g.strideH();
        if (room <= 0) {
            return 0;
        }
        return (int) Math.min(g.kernelH(), (room + g.dilationH() - 1) / g.dilationH());
    }

    /** Flops of one image. */
    @Override
    public long flops() {
        return 2L * g.inChannels() * g.outH() * g.outW() * g.kernelH() * g.kernelW();
    }

    /** Bytes of one image's blocked input and output and of the weights. */
    @Override
    public long bytes() {
        return 4L * blocks * BLOCK * ((long) g.inH() * g.inW() + (long) g.outH() * g.outW()) + 4L * weights.length;
    }

    /** The exec-type name of the implementation, e.g. {@code jit_avx512}. */
    public String implementation() {
        return kernel.implementation();
    }

    @Override
    public String execName() {
        return "blocked_depthwise_" + implementation();
    }

    public ConvGeometry geometry() {
        return g;
    }
}
