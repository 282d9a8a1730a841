package dev.infero.cpu.step;

import java.util.Arrays;

/**
 * A copy planned at compile time: {@code out[dstOffset + Σ i_a·dst[a]] = in[srcOffset + Σ i_a·src[a]]} over the
 * index space {@code dims}, walked in order, the last axis contiguous in the output ({@code dst} stride 1). Axes of
 * size 1 are dropped and axes both sides cross contiguously are merged, so a plain copy is one
 * {@code System.arraycopy}. Any element range of the walk can be copied on its own ({@link #copy}), which is how a
 * step splits a copy across threads. One kernel for transposition, slicing (start offset, stepped or negative
 * strides), concatenation (each input a block of the output's rows) and reshaping copies.
 */
final class StridedCopy {
    /** Rows shorter than this are copied element by element rather than by {@code System.arraycopy}. */
    static final int SHORT_ROW = 16;

    private final int[] dims;
    private final int[] src;
    private final int[] dst;
    private final int srcOffset;
    private final int dstOffset;
    private final int size;
    private final int inner;
    private final int innerSrc;

    private StridedCopy(int[] dims, int[] src, int[] dst, int srcOffset, int dstOffset, int size) {
        this.dims = dims;
        this.src = src;
        this.dst = dst;
        this.srcOffset = srcOffset;
        this.dstOffset = dstOffset;
        this.size = size;
        this.inner = dims[dims.length - 1];
        this.innerSrc = src[src.length - 1];
    }

    /** This copy writing {@code by} elements further into the output. */
    StridedCopy shifted(int by) {
        return new StridedCopy(dims, src, dst, srcOffset, dstOffset + by, size);
    }

    /** The copy of {@code dims} elements from strides {@code src} at {@code srcOffset} to {@code dst} at {@code dstOffset}. */
    static StridedCopy of(int[] dims, int[] src, int srcOffset, int[] dst, int dstOffset) {
        int rank = dims.length;
        int[] d = new int[rank + 1];
        int[] s = new int[rank + 1];
        int[] t = new int[rank + 1];
        int n = 0;
        int size = 1;
        for (int a = 0; a < rank; a++) {
            size *= dims[a];
            if (dims[a] == 1) {
                continue;
            }
            if (n > 0 && s[n - 1] == src[a] * dims[a] && t[n - 1] == dst[a] * dims[a]) {
                d[n - 1] *= dims[a];
                s[n - 1] = src[a];
                t[n - 1] = dst[a];
            } else {
                d[n] = dims[a];
                s[n] = src[a];
                t[n] = dst[a];
                n++;
            }
        }
        if (n == 0 || t[n - 1] != 1) {
            // A single element, or an inner axis not contiguous in the output: walk one element per row.
            d[n] = 1;
            s[n] = 1;
            t[n] = 1;
            n++;
        }
        return new StridedCopy(Arrays.copyOf(d, n), Arrays.copyOf(s, n), Arrays.copyOf(t, n), srcOffset, dstOffset,
                size);
    }

    /** The contiguous copy of {@code size} elements (a reshape). */
    static StridedCopy flat(int size) {
        return of(new int[] {size}, new int[] {1}, 0, new int[] {1}, 0);
    }

    /** Elements in the walk. */
    int size() {
        return size;
    }

    /** Axes of the merged walk: the length of {@link #copy}'s index scratch. */
    int rank() {
        return dims.length;
    }

    /** Whether the inner rows are contiguous in the input as well (then any element type copies by arraycopy). */
    boolean contiguousRows() {
        return innerSrc == 1;
    }

    /**
     * Copies elements [from, to) of the walk from {@code in} to {@code out} (arrays of one primitive type; float
     * arrays only unless {@link #contiguousRows}); {@code index} is scratch of {@link #rank} ints.
     */
    void copy(Object in, Object out, int from, int to, int[] index) {
        if (from >= to) {
            return;
        }
        int row = from / inner;
        int column = from - row * inner;
        int s = srcOffset;
        int d = dstOffset;
        for (int a = dims.length - 2; a >= 0; a--) {
            index[a] = row % dims[a];
            row /= dims[a];
            s += index[a] * src[a];
            d += index[a] * dst[a];
        }
        boolean shortRows = inner < SHORT_ROW && in instanceof float[] && out instanceof float[];
        if (shortRows && dims.length == 2) {
            copyShortRows((float[]) in, (float[]) out, from, to, column, s, d);
            return;
        }
        int last = dims.length - 1;
        for (int e = from; e < to; ) {
            int n = Math.min(inner - column, to - e);
            if (innerSrc == 1 && !shortRows) {
                System.arraycopy(in, s + column, out, d + column, n);
            } else {
                float[] x = (float[]) in;
                float[] z = (float[]) out;
                int from0 = s + column * innerSrc;
                int to0 = d + column;
                for (int i = 0; i < n; i++) {
                    z[to0 + i] = x[from0 + i * innerSrc];
                }
            }
            e += n;
            column = 0;
            for (int a = last - 1; a >= 0; a--) {
                s += src[a];
                d += dst[a];
                if (++index[a] < dims[a]) {
                    break;
                }
                s -= src[a] * dims[a];
                d -= dst[a] * dims[a];
                index[a] = 0;
            }
        }
    }

    /**
     * {@link #copy} of a two-axis walk with float rows shorter than {@link #SHORT_ROW}: element by element, since a
     * call per row costs more than the row (a detector's box decoding slices and concatenates rows of 2–4 values; a
     * head's Transpose(0,2,3,1) writes rows of a few channels; longer walks copy such rows element by element in
     * {@link #copy}'s own loop). The row at {@code s}/{@code d} starts at {@code column}.
     */
    private void copyShortRows(float[] x, float[] z, int from, int to, int column, int s, int d) {
        int step = innerSrc;
        // The common two-axis walk (rows of a slice or of a Concat input): no index bookkeeping per row, and
        // whole rows of 1–4 values copied by straight-line code.
        int rowSrc = src[0];
        int rowDst = dst[0];
        int e = from;
        if (column > 0) {
            int n = Math.min(inner - column, to - e);
            for (int i = 0; i < n; i++) {
                z[d + column + i] = x[s + (column + i) * step];
            }
            e += n;
            s += rowSrc;
            d += rowDst;
        }
        int rows = (to - e) / inner;
        switch (inner) {
            case 1 -> {
                for (int r = 0; r < rows; r++, s += rowSrc, d += rowDst) {
                    z[d] = x[s];
                }
            }
            case 2 -> {
                for (int r = 0; r < rows; r++, s += rowSrc, d += rowDst) {
                    z[d] = x[s];
                    z[d + 1] = x[s + step];
                }
            }
            case 3 -> {
                for (int r = 0; r < rows; r++, s += rowSrc, d += rowDst) {
                    z[d] = x[s];
                    z[d + 1] = x[s + step];
                    z[d + 2] = x[s + 2 * step];
                }
            }
            case 4 -> {
                for (int r = 0; r < rows; r++, s += rowSrc, d += rowDst) {
                    z[d] = x[s];
                    z[d + 1] = x[s + step];
                    z[d + 2] = x[s + 2 * step];
                    z[d + 3] = x[s + 3 * step];
                }
            }
            default -> {
                for (int r = 0; r < rows; r++, s += rowSrc, d += rowDst) {
                    for (int i = 0; i < inner; i++) {
                        z[d + i] = x[s + i * step];
                    }
                }
            }
        }
        e += rows * inner;
        for (int i = 0; e < to; i++, e++) {
            z[d + i] = x[s + i * step];
        }
    }
}
