package dev.infero.core.types;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A tensor shape known at graph-build time: a rank (or "unknown rank") and per-dimension sizes, where
 * {@link #DYNAMIC} marks a dimension only known once real inputs arrive. Immutable.
 */
public final class PartialShape {
    /** Marker for a dimension whose size is not known until run time. */
    public static final int DYNAMIC = -1;

    private static final PartialShape UNKNOWN_RANK = new PartialShape(null);
    private static final PartialShape SCALAR = new PartialShape(new int[0]);

    private final int[] dims;

    private PartialShape(int[] dims) {
        this.dims = dims;
    }

    public static PartialShape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int d : dims) {
            if (d < DYNAMIC) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(dims));
            }
        }
        return new PartialShape(dims.clone());
    }

    public static PartialShape of(long... dims) {
        int[] ints = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            long d = dims[i];
            if (d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension " + d + " is too large in shape " + Arrays.toString(dims));
            }
            ints[i] = (int) d;
        }
        return of(ints);
    }

    /**
     * A shape written as comma-separated dimensions, as command-line options take it: {@code 1,3,?,224}, empty for a
     * scalar. {@code ?} and {@code -1} are dynamic unless {@code concrete}, where every dimension must be at least 1.
     *
     * @throws IllegalArgumentException {@code invalid dimension 'D'} for the first dimension that is none
     */
    public static PartialShape parse(String dims, boolean concrete) {
        if (dims.isEmpty()) {
            return scalar();
        }
        String[] parts = dims.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String d = parts[i];
            if (!concrete && (d.equals("?") || d.equals("-1"))) {
                out[i] = DYNAMIC;
                continue;
            }
            try {
                out[i] = Integer.parseInt(d);
            } catch (NumberFormatException e) {
                out[i] = -2;
            }
            if (out[i] < (concrete ? 1 : 0)) {
                throw new IllegalArgumentException("invalid dimension '" + d + "'");
            }
        }
        return of(out);
    }

    public static PartialShape scalar() {
        return SCALAR;
    }

    public static PartialShape unknownRank() {
        return UNKNOWN_RANK;
    }

    /** A shape of known rank whose every dimension is dynamic. */
    public static PartialShape dynamic(int rank) {
        int[] dims = new int[rank];
        Arrays.fill(dims, DYNAMIC);
        return new PartialShape(dims);
    }

    /** Whether this can hold one value, as a scalar input may: unknown rank, {@code []}, or {@code [1]}. */
    public boolean fitsScalar() {
        return !hasRank() || rank() == 0 || rank() == 1 && dim(0) == 1;
    }

    public boolean hasRank() {
        return dims != null;
    }

    public int rank() {
        if (dims == null) {
            throw new IllegalStateException("shape has unknown rank");
        }
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis];
    }

    public boolean isDynamic(int axis) {
        return dims[axis] == DYNAMIC;
    }

    public boolean isStatic() {
        if (dims == null) {
            return false;
        }
        for (int d : dims) {
            if (d == DYNAMIC) {
                return false;
            }
        }
        return true;
    }

    /** The dimensions of a static shape; throws if any is unknown. */
    public int[] toArray() {
        if (!isStatic()) {
            throw new IllegalStateException("shape " + this + " is not static");
        }
        return dims.clone();
    }

    /** The dimensions with {@link #DYNAMIC} for unknown ones; throws for unknown rank. */
    public int[] dimsOrDynamic() {
        return Arrays.copyOf(dims, rank());
    }

    /** Whether a concrete shape fits this one (same rank, equal static dimensions). */
    public boolean accepts(int[] concrete) {
        if (dims == null) {
            return true;
        }
        if (concrete.length != dims.length) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != DYNAMIC && dims[i] != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartialShape p && Arrays.equals(dims, p.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [1,3,?,224]}, or {@code [...]} for unknown rank. */
    @Override
    public String toString() {
        if (dims == null) {
            return "[...]";
        }
        return Arrays.stream(dims).mapToObj(d -> d == DYNAMIC ? "?" : Integer.toString(d))
                .collect(Collectors.joining(",", "[", "]"));
    }
}
