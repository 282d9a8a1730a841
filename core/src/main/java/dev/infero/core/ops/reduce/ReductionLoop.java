package dev.infero.core.ops.reduce;

import dev.infero.core.types.Shapes;

/**
 * Walks a row-major input shape as rows of its innermost dimension and tells, for each row, where its elements land
 * in the reduced output (the input shape with the reduced axes collapsed to 1, in the same order). Reductions and
 * normalizations over arbitrary axes share it: they fold each row into the output with a tight loop.
 */
public final class ReductionLoop {
    /** One input row of {@code length} elements starting at {@code inOffset}; element i maps to out + i * outStep. */
    @FunctionalInterface
    public interface Row {
        void run(int inOffset, int outOffset, int outStep, int length);
    }

    private final int[] shape;
    private final int[] outStrides;
    private final int outSize;
    private final long reducedCount;

    /** @param reduced which axes of {@code shape} are reduced */
    public ReductionLoop(int[] shape, boolean[] reduced) {
        this.shape = shape.length == 0 ? new int[] {1} : shape;
        boolean[] r = shape.length == 0 ? new boolean[] {false} : reduced;
        int[] outShape = this.shape.clone();
        long count = 1;
        for (int i = 0; i < outShape.length; i++) {
            if (r[i]) {
                count *= outShape[i];
                outShape[i] = 1;
            }
        }
        int[] strides = Shapes.strides(outShape);
        for (int i = 0; i < strides.length; i++) {
            if (r[i]) {
                strides[i] = 0;
            }
        }
        this.outStrides = strides;
        this.outSize = Shapes.size(outShape);
        this.reducedCount = count;
    }

    /** Number of output elements. */
    public int outSize() {
        return outSize;
    }

    /** Number of input elements folded into each output element. */
    public long reducedCount() {
        return reducedCount;
    }

    /** Calls {@code row} for every innermost row of the input, in memory order. */
    public void forEachRow(Row row) {
        int rank = shape.length;
        int inner = shape[rank - 1];
        int rows = Shapes.product(shape, 0, rank - 1);
        if (inner == 0) {
            return;
        }
        int innerStep = outStrides[rank - 1];
        int[] index = new int[rank];
        int out = 0;
        for (int r = 0, in = 0; r < rows; r++, in += inner) {
            row.run(in, out, innerStep, inner);
            for (int a = rank - 2; a >= 0; a--) {
                out += outStrides[a];
                if (++index[a] < shape[a]) {
                    break;
                }
                out -= outStrides[a] * shape[a];
                index[a] = 0;
            }
        }
    }
}
