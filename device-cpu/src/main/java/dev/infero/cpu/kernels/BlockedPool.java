package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.BlockedPoolKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max, average and global average pooling on the channel-blocked layout nChw16c ({@link BlockedReorder}), input and
 * output blocked, a block's 16 channels in the vector lanes, the input rows read in place. Max and average pooling
 * run generated code ({@link BlockedPoolKernel}) when {@code Jit.isa("blocked")} is on, else (and global average
 * pooling always) Vector API loops. Windows are clipped at the edges: each output row gets the range of window rows
 * inside the input, each output column the range of window columns, so no padding is read or copied; ceil-mode
 * windows that start inside the input take what they cover.
 *
 * <p>Semantics as the ops' reference evaluation ({@code MaxPool} / {@code AvgPool} in core): max over the covered
 * values, a NaN wins (the Vector API's {@code lanewise(MAX)} is {@link Math#max}; the generated code masks its
 * {@code vmaxps}), an empty window gives −∞; average sums the covered values in float and multiplies by 1 / count
 * (count: the covered values with exclude-pad, else the window's positions inside the padded input), 0 for a window
 * with nothing to count (as the NCHW kernel, within float rounding of the reference's double sum).
 *
 * <p>Threads: {@link #items()} items, (channel block × band of output rows), each writing its own part of the output,
 * in any order, on any threads at once. Every vector stays inside the loop that uses it (no vector crosses a method
 * of ours: docs/architecture.md), nothing is allocated per call.
 */
public final class BlockedPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int BLOCK = BlockedReorder.BLOCK;

    private enum Kind { MAX, AVG, GLOBAL }

    private final Kind kind;
    private final ConvGeometry g;
    private final int blocks;
    private final int bands;
    /** Per output column, the first and one past the last window column inside the input. */
    private final int[] colLo;
    private final int[] colHi;
    /** AVG: per output row and column, 1 / count; GLOBAL: one entry. */
    private final float[] factorY;
    private final float[] factorX;
    private final boolean excludePad;
    /** Generated max or average pooling, or {@code null}: the Vector API loops. */
    private final BlockedPoolKernel kernel;
    /** With the kernel's average pooling: per output (y, x), 1 / count (0 when nothing counts). */
    private final float[] factors;

    private BlockedPool(Kind kind, ConvGeometry g, boolean excludePad, int padBottom, int padRight, Jit.Isa isa) {
        this.kind = kind;
        this.g = g;
        this.excludePad = excludePad;
        this.blocks = BlockedReorder.blocks(g.inChannels());
        this.colLo = new int[g.outW()];
        this.colHi = new int[g.outW()];
        for (int x = 0; x < g.outW(); x++) {
            colLo[x] = first(x, g.strideW(), g.padLeft(), g.dilationW(), g.kernelW());
            colHi[x] = end(x, g.strideW(), g.padLeft(), g.dilationW(), g.kernelW(), g.inW());
        }
        // Counts of the window's positions inside the padded input, per axis (not exclude-pad).
        this.factorY = new float[g.outH()];
        this.factorX = new float[g.outW()];
        for (int y = 0; y < g.outH(); y++) {
            factorY[y] = within(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH(), g.inH(), padBottom);
        }
        for (int x = 0; x < g.outW(); x++) {
            factorX[x] = within(x, g.strideW(), g.padLeft(), g.dilationW(), g.kernelW(), g.inW(), padRight);
        }
        int rows = kind == Kind.GLOBAL ? 1 : g.outH();
        boolean generated = kind != Kind.GLOBAL && isa != null && isa.supported() && BlockedPoolKernel.Key.supports(
                g.inW(), g.outW(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW());
        this.kernel = generated ? new BlockedPoolKernel(KernelCache.current(), new BlockedPoolKernel.Key(isa, g.inW(),
                g.outW(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.padLeft(),
                kind == Kind.MAX)) : null;
        this.factors = generated && kind == Kind.AVG ? new float[g.outH() * g.outW()] : null;
        if (factors != null) {
            for (int y = 0; y < g.outH(); y++) {
                int lo = first(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH());
                int hi = end(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH(), g.inH());
                for (int x = 0; x < g.outW(); x++) {
                    factors[y * g.outW() + x] = factor(y, x, lo, hi);
                }
            }
        }
        this.bands = Math.max(1, Math.min(rows, (BlockedDepthwise.ITEMS + blocks - 1) / blocks));
    }

    /**
     * Max pooling: kernel, strides, pads and dilations of {@code g} (groups and output channels as the input's);
     * {@code outH}/{@code outW} as the op computed them, ceil rounding included.
     */
    public static BlockedPool max(ConvGeometry g) {
        return max(g, Jit.isa("blocked"));
    }

    /** {@link #max(ConvGeometry)} on generated code for {@code isa}, or the Vector API loops ({@code null}). */
    public static BlockedPool max(ConvGeometry g, Jit.Isa isa) {
        return new BlockedPool(Kind.MAX, check(g), false, 0, 0, isa);
    }

    /**
     * Average pooling; without {@code excludePad} the count is over the window's positions inside the padded input,
     * taken to end where the last window ends (the op's padding in floor mode; with ceil rounding a window past the
     * declared padding would count those positions: use {@link #average(ConvGeometry, boolean, int, int)}).
     */
    public static BlockedPool average(ConvGeometry g, boolean excludePad) {
        check(g);
        return average(g, excludePad, padEnd(g.outH(), g.strideH(), g.kernelH(), g.dilationH(), g.padTop(), g.inH()),
                padEnd(g.outW(), g.strideW(), g.kernelW(), g.dilationW(), g.padLeft(), g.inW()));
    }

    /** Padding after the input up to where the last window ends (none when it ends inside). */
    private static int padEnd(int out, int stride, int k, int dilation, int pad, int size) {
        return Math.max(0, (out - 1) * stride + (k - 1) * dilation + 1 - pad - size);
    }

    /** Average pooling with the padded input ending {@code padBottom} / {@code padRight} after the input. */
    public static BlockedPool average(ConvGeometry g, boolean excludePad, int padBottom, int padRight) {
        return average(g, excludePad, padBottom, padRight, Jit.isa("blocked"));
    }

    /** As above on generated code for {@code isa}, or the Vector API loops ({@code null}). */
    public static BlockedPool average(ConvGeometry g, boolean excludePad, int padBottom, int padRight, Jit.Isa isa) {
        return new BlockedPool(Kind.AVG, check(g), excludePad, padBottom, padRight, isa);
    }

    /** The mean of each channel's plane of {@code h × w}; the output is blocked {@code [Cb][1][1][16]}. */
    public static BlockedPool globalAverage(int channels, int h, int w) {
        if (channels < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException("global average pooling of " + channels + " channels of " + h + "×" + w);
        }
        return new BlockedPool(Kind.GLOBAL, new ConvGeometry(1, channels, h, w, channels, 1, 1, h, w, 1, 1, 1, 1, 0,
                0, channels), true, 0, 0, null);
    }

    private static ConvGeometry check(ConvGeometry g) {
        if (g.outChannels() != g.inChannels() || g.outH() < 1 || g.outW() < 1 || g.kernelH() < 1 || g.kernelW() < 1
                || g.strideH() < 1 || g.strideW() < 1 || g.dilationH() < 1 || g.dilationW() < 1 || g.padTop() < 0
                || g.padLeft() < 0) {
            throw new IllegalArgumentException("blocked pooling: unsupported window " + g);
        }
        return g;
    }

    /** The first window tap of output o inside [0, size): taps t with o·s − pad + t·d ≥ 0. */
    private static int first(int o, int s, int pad, int d, int k) {
        int before = pad - o * s;
        return before <= 0 ? 0 : Math.min(k, (before + d - 1) / d);
    }

    /** One past the last window tap of output o inside [0, size). */
    private static int end(int o, int s, int pad, int d, int k, int size) {
        long room = (long) size + pad - (long) o * s;
        return room <= 0 ? 0 : (int) Math.min(k, (room + d - 1) / d);
    }

    /** Taps of output o inside the padded input [−pad, size + after). */
    private static int within(int o, int s, int pad, int d, int k, int size, int after) {
        int n = 0;
        for (int t = 0; t < k; t++) {
            int i = o * s - pad + t * d;
            if (i >= -pad && i < size + after) {
                n++;
            }
        }
        return n;
    }

    /** 1 / count of output (y, x), whose window rows [lo, hi) are inside the input; 0 when nothing counts. */
    private float factor(int y, int x, int lo, int hi) {
        int count = excludePad ? Math.max(0, hi - lo) * Math.max(0, colHi[x] - colLo[x])
                : (int) (factorY[y] * factorX[x]);
        return count == 0 ? 0f : 1f / count;
    }

    /** Items of one image: channel blocks × bands of output rows. */
    public int items() {
        return blocks * bands;
    }

    /**
     * Computes item {@code item} of the image whose blocked input starts at {@code in[inOff]} and blocked output at
     * {@code out[outOff]}; the images' extents are checked first ({@link IndexOutOfBoundsException}).
     */
    public void runItem(float[] in, int inOff, float[] out, int outOff, int item) {
        if (item < 0 || item >= items()) {
            throw new IndexOutOfBoundsException("blocked pooling item " + item + " of " + items());
        }
        BlockedDepthwise.checkImage("input", in, inOff, blocks * g.inH() * g.inW() * BLOCK);
        BlockedDepthwise.checkImage("output", out, outOff, blocks * g.outH() * g.outW() * BLOCK);
        int cb = item / bands;
        int band = item % bands;
        int inBlock = inOff + cb * g.inH() * g.inW() * BLOCK;
        int outBlock = outOff + cb * g.outH() * g.outW() * BLOCK;
        if (kind == Kind.GLOBAL) {
            global(in, inBlock, out, outBlock);
            return;
        }
        int y0 = (int) ((long) g.outH() * band / bands);
        int y1 = (int) ((long) g.outH() * (band + 1) / bands);
        if (kernel != null) {
            generated(in, inBlock, out, outBlock, y0, y1);
            return;
        }
        for (int y = y0; y < y1; y++) {
            int lo = first(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH());
            int hi = end(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH(), g.inH());
            int rowBase = inBlock + (y * g.strideH() - g.padTop()) * g.inW() * BLOCK;
            int outRow = outBlock + y * g.outW() * BLOCK;
            if (kind == Kind.MAX) {
                maxRow(in, rowBase, lo, hi, out, outRow);
            } else {
                avgRow(in, rowBase, lo, hi, out, outRow, y);
            }
        }
    }

    /** Output rows [y0, y1) on the generated code: rows with the same range of window rows in one call. */
    private void generated(float[] in, int inBlock, float[] out, int outBlock, int y0, int y1) {
        int inRow = g.inW() * BLOCK;
        for (int y = y0; y < y1; ) {
            int lo = first(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH());
            int hi = end(y, g.strideH(), g.padTop(), g.dilationH(), g.kernelH(), g.inH());
            int next = y + 1;
            while (next < y1 && first(next, g.strideH(), g.padTop(), g.dilationH(), g.kernelH()) == lo
                    && end(next, g.strideH(), g.padTop(), g.dilationH(), g.kernelH(), g.inH()) == hi) {
                next++;
            }
            int count = Math.max(0, hi - lo);
            int iy = y * g.strideH() - g.padTop() + lo * g.dilationH();
            kernel.run(in, count > 0 ? inBlock + iy * inRow : inBlock, out, outBlock + y * g.outW() * BLOCK,
                    factors, y * g.outW(), next - y, count);
            y = next;
        }
    }

    private void maxRow(float[] in, int rowBase, int lo, int hi, float[] out, int outRow) {
        int rowStep = g.dilationH() * g.inW() * BLOCK;
        int colStep = g.dilationW() * BLOCK;
        for (int x = 0, outW = g.outW(); x < outW; x++) {
            int cLo = colLo[x];
            int cHi = colHi[x];
            int px = rowBase + (x * g.strideW() - g.padLeft()) * BLOCK;
            for (int l = 0; l < BLOCK; l += L) {
                FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int kh = lo; kh < hi; kh++) {
                    int at = px + kh * rowStep + l;
                    for (int kw = cLo; kw < cHi; kw++) {
                        acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, in, at + kw * colStep));
                    }
                }
                acc.intoArray(out, outRow + x * BLOCK + l);
            }
        }
    }

    private void avgRow(float[] in, int rowBase, int lo, int hi, float[] out, int outRow, int y) {
        int rowStep = g.dilationH() * g.inW() * BLOCK;
        int colStep = g.dilationW() * BLOCK;
        for (int x = 0, outW = g.outW(); x < outW; x++) {
            int cLo = colLo[x];
            int cHi = colHi[x];
            float f = factor(y, x, lo, hi);
            int px = rowBase + (x * g.strideW() - g.padLeft()) * BLOCK;
            for (int l = 0; l < BLOCK; l += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int kh = lo; kh < hi; kh++) {
                    int at = px + kh * rowStep + l;
                    for (int kw = cLo; kw < cHi; kw++) {
                        acc = acc.add(FloatVector.fromArray(S, in, at + kw * colStep));
                    }
                }
                acc.mul(f).intoArray(out, outRow + x * BLOCK + l);
            }
        }
    }

    private void global(float[] in, int inBlock, float[] out, int outBlock) {
        int pixels = g.inH() * g.inW();
        float f = 1f / pixels;
        for (int l = 0; l < BLOCK; l += L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            int p = 0;
            for (; p + 1 < pixels; p += 2) {
                a0 = a0.add(FloatVector.fromArray(S, in, inBlock + p * BLOCK + l));
                a1 = a1.add(FloatVector.fromArray(S, in, inBlock + (p + 1) * BLOCK + l));
            }
            if (p < pixels) {
                a0 = a0.add(FloatVector.fromArray(S, in, inBlock + p * BLOCK + l));
            }
            a0.add(a1).mul(f).intoArray(out, outBlock + l);
        }
    }

    /** Window taps computed for one image (comparisons or additions). */
    public long flops() {
        return (long) blocks * BLOCK * g.outH() * g.outW() * g.kernelH() * g.kernelW();
    }

    /** Bytes of one image's blocked input and output. */
    public long bytes() {
        return 4L * blocks * BLOCK * ((long) g.inH() * g.inW() + (long) g.outH() * g.outW());
    }

    /**
     * The exec-type name of the implementation: {@code jit_avx512}, {@code jit_avx2}, or {@code vector512} (the
     * Vector API at its preferred width: the JIT off, and global average pooling).
     */
    public String implementation() {
        return kernel != null ? kernel.implementation() : "vector" + S.vectorBitSize();
    }

    public ConvGeometry geometry() {
        return g;
    }
}
