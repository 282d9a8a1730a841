package dev.infero.cpu.kernels;

import java.util.Arrays;

/** The im2col unfolding shared by the f32 and INT8 convolution kernels. */
final class Im2col {
    private Im2col() {
    }

    /**
     * Unfolds output columns [j0, j0 + width) of one group of one image (its input plane block at {@code src[inOff]})
     * into rows {@code ld ≥ width} apart: row (c, kh, kw) holds the input value each of those output positions reads
     * there, 0 in the padding and in columns [width, ld).
     */
    static void unfold(ConvGeometry g, float[] src, int inOff, int j0, int width, int ld, float[] cols) {
        int ow = g.outW();
        int rows = g.patchSize();
        int area = g.kernelH() * g.kernelW();
        for (int row = 0; row < rows; row++) {
            int c = row / area;
            int kh = row / g.kernelW() % g.kernelH();
            int kw = row % g.kernelW();
            int plane = inOff + c * g.inH() * g.inW();
            int x0 = kw * g.dilationW() - g.padLeft();
            int sw = g.strideW();
            for (int pos = j0; pos < j0 + width; ) {
                int y = pos / ow;
                int xStart = pos % ow;
                int len = Math.min(ow - xStart, j0 + width - pos);
                int d = row * ld + (pos - j0);
                int iy = y * g.strideH() - g.padTop() + kh * g.dilationH();
                if (iy < 0 || iy >= g.inH()) {
                    Arrays.fill(cols, d, d + len, 0f);
                } else {
                    int rowSrc = plane + iy * g.inW() + x0;
                    // Output columns x whose input column x0 + x·sw lies inside the row: [first, last).
                    int first = Math.clamp(x0 >= 0 ? 0 : (-x0 + sw - 1) / sw, xStart, xStart + len);
                    int last = g.inW() - x0 <= 0 ? first
                            : Math.clamp((g.inW() - x0 + sw - 1) / sw, first, xStart + len);
                    Arrays.fill(cols, d, d + first - xStart, 0f);
                    copyRow(src, rowSrc + first * sw, sw, cols, d + first - xStart, last - first);
                    Arrays.fill(cols, d + last - xStart, d + len, 0f);
                }
                pos += len;
            }
            Arrays.fill(cols, row * ld + width, (row + 1) * ld, 0f);
        }
    }

    /** {@code n} values {@code stride} apart from {@code src[from]} to consecutive {@code dst[to..]}. */
    private static void copyRow(float[] src, int from, int stride, float[] dst, int to, int n) {
        if (n <= 0) {
            // Nothing of the row lies inside the input: from may then point past the input's end (arraycopy
            // refuses that even for n = 0).
            return;
        }
        if (stride == 1) {
            System.arraycopy(src, from, dst, to, n);
        } else {
            // Stride 2 (the first layers of most CNNs) in vector lanes: a quarter of a stem convolution's time was
            // this copy, one value at a time.
            WindowKernel.copyStrided(src, from, stride, dst, to, 0, n);
        }
    }
}
