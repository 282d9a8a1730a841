package dev.infero.cpu.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few-channel first convolution (a stem: 1–3 input channels read from the float image) in {@link U8S8Conv}'s
 * dot-product layout with the quads taken over the taps instead of the channels, as oneDNN computes a first layer:
 * the depth {@code K = C·KH·KW} in the weights' order {@code (c, kh, kw)} is cut into quads (four taps of one output
 * position in one int; pairs in the {@link U8S8Conv.Form#S16_PAIRS} form), so a 3-channel 3×3 layer multiplies 7
 * quads per position (28 lanes for 27 products) where channel quads take 9 (36 lanes, a quarter padding), and a
 * 1-channel one 3 instead of 9.
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
    /** Taps per int and the shift between them. */
    private final int per;
    private final int shift;
    private final int depth;
    private final int quads;
    /** Ints of one phase row of levels (padded, a multiple of the vector length, with the vectors' overrun). */
    private final int phaseRow;
    /** Input rows a band of {@code maxRows} output rows reads: the level buffer's rows per channel. */
    private final int bufferRows;
    /** Per tap k = (c·KH + y)·KW + x, its level for output position (band row 0, column 0). */
    private final int[] tapOffsets;
    /** Ints between the levels of consecutive output rows: strideH input rows. */
    private final int rowStep;
    private final int levelInts;

    U8S8Stem(ConvGeometry g, ActivationQuantizer quantizer, U8S8Conv.Form form, int maxRows) {
        this.g = g;
        this.quantizer = quantizer;
        this.per = form.channelsPerInt();
        this.shift = 32 / per;
        int kh = g.kernelH();
        int kw = g.kernelW();
        int sw = g.strideW();
        this.depth = g.inChannels() * kh * kw;
        this.quads = (depth + per - 1) / per;
        this.phaseRow = roundUp(roundUp(g.outW(), L) + (kw - 1) * g.dilationW() / sw, L);
        this.bufferRows = (maxRows - 1) * g.strideH() + (kh - 1) * g.dilationH() + 1;
        this.rowStep = g.strideH() * sw * phaseRow;
        this.tapOffsets = new int[depth];
        for (int c = 0; c < g.inChannels(); c++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    int dx = x * g.dilationW();
                    tapOffsets[(c * kh + y) * kw + x] = ((c * bufferRows + y * g.dilationH()) * sw + dx % sw)
                            * phaseRow + dx / sw;
                }
            }
        }
        this.levelInts = g.inChannels() * bufferRows * sw * phaseRow;
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
        for (int c = 0; c < g.inChannels(); c++) {
            int from = (n * g.inChannels() + c) * inPlane;
            for (int r = 0; r < inRows; r++) {
                levelRow(in, from, iy0 + r, codes, buffer, (c * bufferRows + r) * sw * phaseRow);
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
                int k0 = q * per;
                int taps = Math.min(per, depth - k0);
                int o0 = tapOffsets[k0] + src;
                int o1 = taps > 1 ? tapOffsets[k0 + 1] + src : 0;
                int o2 = taps > 2 ? tapOffsets[k0 + 2] + src : 0;
                int o3 = taps > 3 ? tapOffsets[k0 + 3] + src : 0;
                switch (taps) {
                    case 4 -> quad4(buffer, o0, o1, o2, o3, end, packed, dst);
                    case 3 -> quad3(buffer, o0, o1, o2, end, packed, dst);
                    case 2 -> quad2(buffer, o0, o1, end, packed, dst);
                    default -> quad1(buffer, o0, end, packed, dst);
                }
                if (tail) {
                    for (int j = end; j < ow; j++) {
                        int v = 0;
                        for (int i = 0; i < taps; i++) {
                            v |= buffer[tapOffsets[k0 + i] + src + j] << (i * shift);
                        }
                        packed[dst + j] = v;
                    }
                }
            }
        }
    }

    private void quad4(int[] b, int o0, int o1, int o2, int o3, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, shift))
                    .or(IntVector.fromArray(I, b, o2 + j).lanewise(VectorOperators.LSHL, 2 * shift))
                    .or(IntVector.fromArray(I, b, o3 + j).lanewise(VectorOperators.LSHL, 3 * shift))
                    .intoArray(packed, dst + j);
        }
    }

    private void quad3(int[] b, int o0, int o1, int o2, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, shift))
                    .or(IntVector.fromArray(I, b, o2 + j).lanewise(VectorOperators.LSHL, 2 * shift))
                    .intoArray(packed, dst + j);
        }
    }

    private void quad2(int[] b, int o0, int o1, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j)
                    .or(IntVector.fromArray(I, b, o1 + j).lanewise(VectorOperators.LSHL, shift))
                    .intoArray(packed, dst + j);
        }
    }

    private static void quad1(int[] b, int o0, int end, int[] packed, int dst) {
        for (int j = 0; j < end; j += L) {
            IntVector.fromArray(I, b, o0 + j).intoArray(packed, dst + j);
        }
    }

    /**
     * The levels of input row {@code iy} of the channel plane at {@code from} into the buffer's phase rows at
     * {@code dst}: padded column {@code t·strideW + px} (input column minus the left padding) at
     * {@code dst + px·phaseRow + t}, the zero point where it is padding or the row is outside the input.
     */
    private void levelRow(float[] in, int from, int iy, boolean codes, int[] buffer, int dst) {
        int sw = g.strideW();
        int zero = quantizer.zeroPoint();
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
        quantizer.levels(in, from + iy * g.inW(), count, codes, buffer, row + left);
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
