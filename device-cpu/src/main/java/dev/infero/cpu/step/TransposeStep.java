package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * f32 Transpose with a constant permutation and static shapes: the strided walk over the input is planned at compile
 * time (axes of size 1 dropped, axes the walk crosses contiguously merged), so a run only copies, without the
 * reference op's per-call index arrays.
 */
public final class TransposeStep implements Step<int[]> {
    /** Output-order dimensions of the walk and the input stride of each; the last is the inner row. */
    private final int[] dims;
    private final int[] strides;
    private final int size;

    private TransposeStep(int[] dims, int[] strides, int size) {
        this.dims = dims;
        this.strides = strides;
        this.size = size;
    }

    public static TransposeStep of(Node node) {
        if (!(node.op() instanceof Transpose) || node.input(0).type() != ElementType.F32
                || !node.input(0).shape().isStatic() || !node.input(1).isKnown()) {
            return null;
        }
        return planned(node.input(0).shape().toArray(), node.input(1).knownValue().toLongArray());
    }

    /** The copy that transposes a tensor of shape {@code in} by {@code order} (empty: reverse the axes). */
    public static TransposeStep planned(int[] in, long[] order) {
        int rank = in.length;
        int[] inStrides = Shapes.strides(in);
        int[] d = new int[rank + 1];
        int[] s = new int[rank + 1];
        int n = 0;
        for (int i = 0; i < rank; i++) {
            int axis = order.length == 0 ? rank - 1 - i : (int) order[i];
            if (in[axis] == 1) {
                continue;
            }
            if (n > 0 && s[n - 1] == inStrides[axis] * in[axis]) {
                d[n - 1] *= in[axis];
                s[n - 1] = inStrides[axis];
            } else {
                d[n] = in[axis];
                s[n] = inStrides[axis];
                n++;
            }
        }
        if (n == 0) {
            d[0] = 1;
            s[0] = 1;
            n = 1;
        }
        return new TransposeStep(java.util.Arrays.copyOf(d, n), java.util.Arrays.copyOf(s, n), Shapes.size(in));
    }

    @Override
    public ExecType execType() {
        return ExecType.of("strided_copy", "FP32");
    }

    @Override
    public int[] newScratch(int threads) {
        return new int[dims.length];
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, int[] scratch, WorkerPool pool) {
        if (size == 0) {
            return;
        }
        float[] src = inputs[0].floats();
        float[] dst = outputs[0].floats();
        int[] index = scratch;
        java.util.Arrays.fill(index, 0);
        int last = dims.length - 1;
        int inner = dims[last];
        int innerStride = strides[last];
        int from = 0;
        for (int to = 0; to < size; to += inner) {
            if (innerStride == 1) {
                System.arraycopy(src, from, dst, to, inner);
            } else {
                for (int i = 0; i < inner; i++) {
                    dst[to + i] = src[from + i * innerStride];
                }
            }
            for (int a = last - 1; a >= 0; a--) {
                from += strides[a];
                if (++index[a] < dims[a]) {
                    break;
                }
                from -= strides[a] * dims[a];
                index[a] = 0;
            }
        }
    }
}
