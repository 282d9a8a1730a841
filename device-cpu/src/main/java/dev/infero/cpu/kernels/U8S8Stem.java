package dev.infero.cpu.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few-channel first convolution (a stem: 1–3 input channels read from the float image) in {@link U8S8Conv}'s
 * dot-product layout with the quads taken over the taps instead of the channels, as oneDNN computes a first layer:
 * the depth {@code K = C·KH·KW} is cut into quads (four taps of one output position in one int; pairs in the
 * {@link U8S8Conv.Form#S16_PAIRS} form), so a 3-channel 3×3 layer multiplies 7 quads per position (28 lanes for 27
 * products) where channel quads take 9 (36 lanes, a quarter padding), and a 1-channel one 3 instead of 9. In the u8
 * quad form the depth runs in the order (kh, kw, c): each pixel's channels are quantized into one int (byte c the
 * level of channel c), and a quad is four consecutive bytes of consecutive taps' ints, one or two shifted ints per
 * quad; the weights are reordered to match once. In the pair form the depth keeps the weights' order (c, kh, kw),
 * one int per channel's level.
 * <p>
 * The layer is then a 1×1 stride-1 convolution of {@code K} channels over the output grid ({@link #tapGeometry}),
 * which {@link U8S8Conv} lays out and whose tiles are the ordinary generated ones, reading a band of output rows at a
 * time. Nothing is packed before the tiles run: each compute item (image, band of output rows) first quantizes the
 * input rows its band reads, straight from the image, into per-thread rows of levels (padding as the zero point,
 * columns split by stride phase), then assembles its positions' tap quads from those rows into its thread's band
 * buffer (one quad plane per quad, the band's positions consecutive), which the tiles read at once, in L1/L2: one
 * pass over the image, no phase-split planes, nothing written back to memory. The int32 sums are the same integers as
 * in the channel-quad layout (the same products; padding at the zero point contributes nothing after the
 * compensation), so results are bit-identical; and the output is written directly (whole rows of the band), so the
 * tiles apply the post-ops in registers also where the channel-quad layout of a strided layer writes scratch rows.
 */
public final class U8S8Stem {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = I.length();
    /** Lane i takes lane 2i (2i + 1) of two consecutive vectors: the even (odd) columns of a stride-2 row. */
    private static final IntVector EVEN = IntVector.fromArray(I,
            java.util.stream.IntStream.range(0, L).map(i -> 2 * i).toArray(), 0);
    private static final IntVector ODD = IntVector.fromArray(I,
            java.util.stream.IntStream.range(0, L).map(i -> 2 * i + 1).toArray(), 0);

    private final ConvGeometry g;
    private final ActivationQuantizer quantizer;
    /**
     * Whether a pixel's channels share one int (u8 quads: byte c the level of channel c, the depth in the order
     * (kh, kw, c)), else one int per channel (s16 pairs: the depth in the weights' order (c, kh, kw)).
     */
    private final boolean pixels;
    private final int quads;
    /** Ints of one phase row of levels (padded, a multiple of the vector length, with the vectors' overrun). */
    private final int phaseRow;
    /** Input rows a band of {@code maxRows} output rows reads: the level buffer's rows per plane. */
    private final int bufferRows;
    /**
     * Per quad, how it is assembled from the level rows: its parts' offsets (for band row 0, column 0), the first
     * part shifted right by {@link #firstShift} bits and the others left by {@link #shifts} bits, all or-ed.
     */
    private final int[][] parts;
    private final int[] firstShift;
    private final int[][] shifts;
    /** Ints between the levels of consecutive output rows: strideH input rows. */
    private final int rowStep;
    private final int levelInts;
    /** The level row value of padding: the zero point in every channel's byte (or int). */
    private final int zeroPixel;

    U8S8Stem(ConvGeometry g, ActivationQuantizer quantizer, U8S8Conv.Form form, int maxRows) {
        this.g = g;
        this.quantizer = quantizer;
        int per = form.channelsPerInt();
        this.pixels = form == U8S8Conv.Form.U8_QUADS;
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sw = g.strideW();
        int c = g.inChannels();
        int taps = kh * kw;
        int depth = c * taps;
        this.quads = (depth + per - 1) / per;
        this.phaseRow = roundUp(roundUp(g.outW(), L) + (kw - 1) * g.dilationW() / sw, L);
        this.bufferRows = (maxRows - 1) * g.strideH() + (kh - 1) * g.dilationH() + 1;
        this.rowStep = g.strideH() * sw * phaseRow;
        this.levelInts = (pixels ? 1 : c) * bufferRows * sw * phaseRow;
        this.zeroPixel = pixels ? quantizer.zeroPoint() * (0x010101 >>> (8 * (3 - c))) : quantizer.zeroPoint();
        this.parts = new int[quads][];
        this.firstShift = new int[quads];
        this.shifts = new int[quads][];
        for (int q = 0; q < quads; q++) {
            if (pixels) {
                // Bytes [4q, 4q + 4) of the taps' bytes, tap t holding [t·C, t·C + C).
                int t0 = 4 * q / c;
                int t1 = Math.min(taps - 1, (4 * q + 3) / c);
                parts[q] = new int[t1 - t0 + 1];
                shifts[q] = new int[parts[q].length];
                for (int t = t0; t <= t1; t++) {
                    int bytes = t * c - 4 * q;
                    parts[q][t - t0] = offset(0, t / kw, t % kw);
                    if (t == t0) {
                        firstShift[q] = -8 * bytes;
                    } else {
                        shifts[q][t - t0] = 8 * bytes;
                    }
                }
            } else {
                int n = Math.min(per, depth - q * per);
                parts[q] = new int[n];
                shifts[q] = new int[n];
                for (int i = 0; i < n; i++) {
                    int k = q * per + i;
                    parts[q][i] = offset(k / taps, k % taps / kw, k % kw);
                    shifts[q][i] = i * 32 / per;
                }
            }
        }
    }

    /** The level row offset of plane {@code plane}, tap (y, x), for output position (band row 0, column 0). */
    private int offset(int plane, int y, int x) {
        int sw = g.strideW();
        int dx = x * g.dilationW();
        return ((plane * bufferRows + y * g.dilationH()) * sw + dx % sw) * phaseRow + dx / sw;
    }

    /**
     * The weights of {@code g} in the depth order of this form's {@code form}: for u8 quads (kh, kw, c), so that a
     * quad takes consecutive bytes of the pixels' ints; for s16 pairs as they are.
     *
     * @param codes [Cout][C][KH][KW]
     */
    static float[] weightsInDepthOrder(ConvGeometry g, float[] codes, U8S8Conv.Form form) {
        if (form != U8S8Conv.Form.U8_QUADS || g.inChannels() == 1) {
            return codes;
        }
        int c = g.inChannels();
        int taps = g.kernelH() * g.kernelW();
        int depth = c * taps;
        float[] w = new float[codes.length];
        for (int o = 0; o < g.outChannels(); o++) {
            for (int ci = 0; ci < c; ci++) {
                for (int t = 0; t < taps; t++) {
                    w[o * depth + t * c + ci] = codes[o * depth + ci * taps + t];
                }
            }
        }
        return w;
    }

    /**
     * Whether a layer takes this form: one group of at most 3 input channels (4 fill a channel quad already) and a
     * kernel of more than one tap, and the tap layout fits {@link U8S8Conv}.
     */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1 && g.inChannels() <= 3 && g.kernelH() * g.kernelW() > 1 && U8S8Conv.fits(tapGeometry(g));
    }

    /**
     * Whether plans use this form where it {@link #applies}: {@code -Dinfero.int8.stem=off} keeps stems in channel
     * quads (for A/B measurements); a value other than on or off is refused.
     */
    public static boolean enabled() {
        String v = System.getProperty("infero.int8.stem", "on");
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("-Dinfero.int8.stem=" + v + ": on or off");
        };
    }

    /**
     * The 1×1 stride-1 convolution of {@code K = C·KH·KW} channels over the output grid that this form computes:
     * what {@link U8S8Conv} lays out and the tiles are generated for. Its weights are the layer's, as they are
     * ({@code [Cout][C][KH][KW]} is {@code [Cout][K][1][1]}).
     */
    static ConvGeometry tapGeometry(ConvGeometry g) {
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        return new ConvGeometry(g.batch(), k, g.outH(), g.outW(), g.outChannels(), g.outH(), g.outW(), 1, 1, 1, 1, 1,
                1, 0, 0, 1);
    }

    /** The layer (not the tap geometry). */
    public ConvGeometry geometry() {
        return g;
    }

    /** Ints of one thread's buffer: the level rows, then one padded input row before its phase split. */
    int bufferInts() {
        return levelInts + (g.strideW() > 1 ? g.strideW() * phaseRow : 0);
    }

    /**
     * Packs output rows [oh0, oh1) of image {@code n} of the layer's input {@code in} (values, or codes when
     * {@code codes}) as tap quads into the band buffer {@code packed}: position {@code (oh - oh0)·OW + ow} of quad
     * plane q at {@code q·plane + (oh - oh0)·OW + ow}; {@code buffer} is the thread's ({@link #bufferInts}).
     */
    void pack(float[] in, boolean codes, int n, int oh0, int oh1, int[] packed, int plane, int[] buffer) {
        int rows = oh1 - oh0;
        int inRows = (rows - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
        int iy0 = oh0 * g.strideH() - g.padTop();
        int inPlane = g.inH() * g.inW();
        int sw = g.strideW();
        int from = n * g.inChannels() * inPlane;
        for (int c = 0; c < (pixels ? 1 : g.inChannels()); c++) {
            for (int r = 0; r < inRows; r++) {
                levelRow(in, from + c * inPlane, iy0 + r, codes, buffer, (c * bufferRows + r) * sw * phaseRow);
            }
        }
        int ow = g.outW();
        int vectorEnd = roundUp(ow, L);
        for (int orow = 0; orow < rows; orow++) {
            int src = orow * rowStep;
            // Vectors may run past a row's end into the positions of the band's next rows, which those rows then
            // write; never past the band's end (into the next quad plane): there a scalar tail.
            boolean tail = orow * ow + vectorEnd > rows * ow;
            int end = tail ? I.loopBound(ow) : vectorEnd;
            for (int q = 0; q < quads; q++) {
                int dst = q * plane + orow * ow;
                int[] p = parts[q];
                int[] l = shifts[q];
                int r0 = firstShift[q];
                int o0 = p[0] + src;
                switch (p.length) {
                    case 4 -> quad4(buffer, o0, r0, p[1] + src, l[1], p[2] + src, l[2], p[3] + src, l[3], end, packed,
                            dst);
                    case 3 -> quad3(buffer, o0, r0, p[1] + src, l[1], p[2] + src, l[2], end, packed, dst);
                    case 2 -> quad2(buffer, o0, r0, p[1] + src, l[1], end, packed, dst);
                    default -> quad1(buffer, o0, r0, end, packed, dst);
                }
                if (tail) {
                    for (int j = end; j < ow; j++) {
                        int v = buffer[o0 + j] >>> r0;
                        for (int i = 1; i < p.length; i++) {
                            v |= buffer[p[i] + src + j] << l[i];
                        }
                        packed[dst + j] = v;
                    }
                }
            }
        }
    }

    private static void quad4(int[] b, int o0, int r0, int o1, int l1, int o2, int l2, int o3, int l3, int end,
                              int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j).lanewise(VectorOperators.LSHR, r0)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, l1))
                    .or(IntVector.fromArray(I, b, o2 + j).lanewise(VectorOperators.LSHL, l2))
                    .or(IntVector.fromArray(I, b, o3 + j).lanewise(VectorOperators.LSHL, l3))
                    .intoArray(packed, dst + j);
        }
    }

    private static void quad3(int[] b, int o0, int r0, int o1, int l1, int o2, int l2, int end, int[] packed,
                              int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j).lanewise(VectorOperators.LSHR, r0)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, l1))
                    .or(IntVector.fromArray(I, b, o2 + j).lanewise(VectorOperators.LSHL, l2))
                    .intoArray(packed, dst + j);
        }
    }

    private static void quad2(int[] b, int o0, int r0, int o1, int l1, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j).lanewise(VectorOperators.LSHR, r0)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, l1))
                    .intoArray(packed, dst + j);
        }
    }

    private static void quad1(int[] b, int o0, int r0, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j).lanewise(VectorOperators.LSHR, r0).intoArray(packed, dst + j);
        }
    }

    /**
     * The levels of input row {@code iy} of the channel plane at {@code from} (with u8 quads, of every channel from
     * there, one int per pixel) into the buffer's phase rows at
     * {@code dst}: padded column {@code t·strideW + px} (input column minus the left padding) at
     * {@code dst + px·phaseRow + t}, the zero point where it is padding or the row is outside the input.
     */
    private void levelRow(float[] in, int from, int iy, boolean codes, int[] buffer, int dst) {
        int sw = g.strideW();
        int zero = zeroPixel;
        int width = sw * phaseRow;
        if (iy < 0 || iy >= g.inH()) {
            java.util.Arrays.fill(buffer, dst, dst + width, zero);
            return;
        }
        // sw = 1: the padded row is the phase row; else it is built past the level rows, then split.
        int row = sw == 1 ? dst : levelInts;
        int left = Math.min(width, g.padLeft());
        int count = Math.max(0, Math.min(g.inW(), width - left));
        java.util.Arrays.fill(buffer, row, row + left, zero);
        int at = from + iy * g.inW();
        if (pixels) {
            // All channels of the pixel in one int (the channel planes follow each other in the image).
            int inPlane = g.inH() * g.inW();
            quantizer.packBytes(in, at, at + inPlane, at + 2 * inPlane, g.inChannels(), count, codes, buffer,
                    row + left);
        } else {
            quantizer.levels(in, at, count, codes, buffer, row + left);
        }
        java.util.Arrays.fill(buffer, row + left + count, row + width, zero);
        if (sw == 1) {
            return;
        }
        int t = 0;
        if (sw == 2) {
            for (; t < phaseRow; t += L) {
                IntVector lo = IntVector.fromArray(I, buffer, row + 2 * t);
                IntVector hi = IntVector.fromArray(I, buffer, row + 2 * t + L);
                EVEN.selectFrom(lo, hi).intoArray(buffer, dst + t);
                ODD.selectFrom(lo, hi).intoArray(buffer, dst + phaseRow + t);
            }
            return;
        }
        for (int px = 0; px < sw; px++) {
            for (t = 0; t < phaseRow; t++) {
                buffer[dst + px * phaseRow + t] = buffer[row + t * sw + px];
            }
        }
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
