package dev.infero.core.types;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import java.util.Arrays;

/** Arithmetic on concrete shapes ({@code int[]}): element counts, strides, axis normalisation, broadcasting. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements; throws a clear error instead of overflowing for absurd shapes. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new InferoException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new ResourceLimitException("shape " + Arrays.toString(shape) + " has more elements than a tensor "
                        + "can hold (limit " + (Integer.MAX_VALUE - 8) + ")");
            }
        }
        return (int) n;
    }

    /** Row-major strides in elements. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Product of dimensions [from, to). */
    public static int product(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Maps a possibly negative axis into [0, rank); throws naming the axis when out of range. */
    public static int normalizeAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new InferoException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    /** Numpy-style broadcast of two concrete shapes. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new InferoException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Numpy-style broadcast of two partial shapes; unknown dimensions stay unknown unless the other side decides. */
    public static PartialShape broadcast(PartialShape a, PartialShape b) {
        if (!a.hasRank() || !b.hasRank()) {
            return PartialShape.unknownRank();
        }
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
            int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
            if (da == PartialShape.DYNAMIC || db == PartialShape.DYNAMIC) {
                int known = da == PartialShape.DYNAMIC ? db : da;
                out[i] = known > 1 ? known : PartialShape.DYNAMIC;
            } else if (da != db && da != 1 && db != 1) {
                throw new InferoException("shapes " + a + " and " + b + " cannot be broadcast together");
            } else {
                out[i] = da == 1 ? db : da;
            }
        }
        return PartialShape.of(out);
    }

    /**
     * Strides of {@code shape} viewed in an output of rank {@code outShape.length} under numpy broadcasting:
     * 0 on broadcast dimensions, so one index formula serves every operand.
     */
    public static int[] broadcastStrides(int[] shape, int[] outShape) {
        int[] own = strides(shape);
        int[] s = new int[outShape.length];
        int offset = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            s[i + offset] = shape[i] == 1 && outShape[i + offset] != 1 ? 0 : own[i];
        }
        return s;
    }
}
