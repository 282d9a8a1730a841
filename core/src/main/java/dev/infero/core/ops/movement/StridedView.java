package dev.infero.core.ops.movement;

import dev.infero.core.tensor.Tensor;

/**
 * Copies a strided view of a tensor into a contiguous output: {@code out[i_0,...,i_k] = in[offset + sum i_a *
 * strides[a]]}. One kernel serves transposition (permuted strides), slicing (a start offset and stepped, possibly
 * negative strides) and broadcasting (stride 0). Dimensions the view walks contiguously are merged first, so a
 * plain copy becomes a single {@code System.arraycopy}.
 */
final class StridedView {
    private StridedView() {
    }

    static void copy(Tensor in, int offset, int[] dims, int[] strides, Tensor out) {
        if (out.size() == 0) {
            return;
        }
        int[] d = new int[dims.length];
        int[] s = new int[dims.length];
        int n = 0;
        for (int a = 0; a < dims.length; a++) {
            if (dims[a] == 1) {
                continue;
            }
            if (n > 0 && s[n - 1] == strides[a] * dims[a]) {
                d[n - 1] *= dims[a];
                s[n - 1] = strides[a];
            } else {
                d[n] = dims[a];
                s[n] = strides[a];
                n++;
            }
        }
        Object src = in.array();
        Object dst = out.array();
        if (n == 0) {
            System.arraycopy(src, offset, dst, 0, 1);
            return;
        }
        int inner = d[n - 1];
        int innerStride = s[n - 1];
        int rows = out.size() / inner;
        int[] index = new int[n - 1];
        int from = offset;
        for (int r = 0, to = 0; r < rows; r++, to += inner) {
            row(src, from, innerStride, dst, to, inner);
            for (int a = n - 2; a >= 0; a--) {
                from += s[a];
                if (++index[a] < d[a]) {
                    break;
                }
                from -= s[a] * d[a];
                index[a] = 0;
            }
        }
    }

    /** {@code dst[to + i] = src[from + i * stride]} for i in [0, n): an array copy when contiguous. */
    static void row(Object src, int from, int stride, Object dst, int to, int n) {
        if (stride == 1) {
            System.arraycopy(src, from, dst, to, n);
            return;
        }
        // One tight loop per storage class: Java has no generics over primitive arrays.
        switch (src) {
            case float[] a -> {
                float[] b = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            case double[] a -> {
                double[] b = (double[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            case long[] a -> {
                long[] b = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            case int[] a -> {
                int[] b = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            case short[] a -> {
                short[] b = (short[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            case byte[] a -> {
                byte[] b = (byte[]) dst;
                for (int i = 0; i < n; i++) {
                    b[to + i] = a[from + i * stride];
                }
            }
            default -> throw new IllegalArgumentException("unsupported storage " + src.getClass().getSimpleName());
        }
    }
}
