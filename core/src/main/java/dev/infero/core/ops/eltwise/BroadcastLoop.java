package dev.infero.core.ops.eltwise;

import dev.infero.core.types.Shapes;

/**
 * Walks an output shape under numpy broadcasting as a sequence of contiguous rows. Dimensions that every operand
 * traverses contiguously are merged first, so {@code [1,64,56,56] + [1,64,1,1]} becomes 64 rows of 3136 elements in
 * which the second operand is one repeated value. Kernels then run a tight (vectorizable) loop per row.
 */
public final class BroadcastLoop {
    /** Receives one row: element offsets of every operand, each operand's step (0 = repeated value, 1), length. */
    @FunctionalInterface
    public interface Row {
        void run(int[] offsets, int[] steps, int outOffset, int length);
    }

    private final int[] dims;
    private final int[][] strides;

    /**
     * @param outShape the output shape
     * @param inShapes operand shapes, each broadcastable to {@code outShape}
     */
    public BroadcastLoop(int[] outShape, int[]... inShapes) {
        int rank = outShape.length;
        int k = inShapes.length;
        int[][] s = new int[k][];
        for (int i = 0; i < k; i++) {
            s[i] = Shapes.broadcastStrides(inShapes[i], outShape);
        }
        int[] outStrides = Shapes.strides(outShape);
        // Merge adjacent dimensions that every operand (and the output) walks contiguously.
        int[] d = new int[Math.max(rank, 1)];
        int[][] st = new int[k][Math.max(rank, 1)];
        int[] os = new int[Math.max(rank, 1)];
        int n = 0;
        for (int axis = 0; axis < rank; axis++) {
            if (outShape[axis] == 1) {
                continue;
            }
            if (n > 0 && mergeable(s, outStrides, axis, st, os, n - 1, d[n - 1], outShape[axis])) {
                d[n - 1] *= outShape[axis];
                for (int i = 0; i < k; i++) {
                    st[i][n - 1] = s[i][axis];
                }
                os[n - 1] = outStrides[axis];
                continue;
            }
            d[n] = outShape[axis];
            for (int i = 0; i < k; i++) {
                st[i][n] = s[i][axis];
            }
            os[n] = outStrides[axis];
            n++;
        }
        if (n == 0) {
            d[0] = 1;
            n = 1;
        }
        this.dims = java.util.Arrays.copyOf(d, n);
        this.strides = new int[k][];
        for (int i = 0; i < k; i++) {
            this.strides[i] = java.util.Arrays.copyOf(st[i], n);
        }
    }

    private static boolean mergeable(int[][] s, int[] outStrides, int axis, int[][] st, int[] os, int prev,
                                     int prevDim, int dim) {
        if (os[prev] != outStrides[axis] * dim) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            boolean bothZero = st[i][prev] == 0 && s[i][axis] == 0;
            boolean contiguous = st[i][prev] == s[i][axis] * dim && s[i][axis] != 0;
            if (!bothZero && !contiguous) {
                return false;
            }
        }
        return true;
    }

    /** Calls {@code row} for every row, in output order. Allocates only its small index arrays. */
    public void forEachRow(Row row) {
        int rank = dims.length;
        int k = strides.length;
        int inner = dims[rank - 1];
        int[] steps = new int[k];
        for (int i = 0; i < k; i++) {
            steps[i] = strides[i][rank - 1] == 0 ? 0 : 1;
            if (strides[i][rank - 1] > 1) {
                throw new IllegalStateException("inner stride must be 0 or 1");
            }
        }
        int[] index = new int[rank];
        int[] offsets = new int[k];
        int rows = 1;
        for (int a = 0; a < rank - 1; a++) {
            rows *= dims[a];
        }
        int out = 0;
        for (int r = 0; r < rows; r++) {
            row.run(offsets, steps, out, inner);
            out += inner;
            for (int a = rank - 2; a >= 0; a--) {
                index[a]++;
                for (int i = 0; i < k; i++) {
                    offsets[i] += strides[i][a];
                }
                if (index[a] < dims[a]) {
                    break;
                }
                for (int i = 0; i < k; i++) {
                    offsets[i] -= strides[i][a] * dims[a];
                }
                index[a] = 0;
            }
        }
    }
}
