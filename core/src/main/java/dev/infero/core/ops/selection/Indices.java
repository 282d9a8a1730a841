package dev.infero.core.ops.selection;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;

/** Element access shared by the gather and scatter ops: index normalisation and type-preserving copies. */
final class Indices {
    private Indices() {
    }

    /** Maps index {@code i} (negative counts from the end) into [0, size), or fails naming what it indexes. */
    static int normalize(long i, int size, String what) {
        long n = i < 0 ? i + size : i;
        if (n < 0 || n >= size) {
            throw new InferoException("index " + i + " is out of range for " + what + " of size " + size);
        }
        return (int) n;
    }

    /** {@code dst[j] = src[i]} for tensors of the same element type, exact for every type. */
    static void copy(Tensor src, int i, Tensor dst, int j) {
        if (src.type().isFloating()) {
            dst.setDouble(j, src.getDouble(i));
        } else {
            dst.setLong(j, src.getLong(i));
        }
    }
}
