package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * f32 SoftMax along any axis of a static shape, as {@code [outer, n, inner]}: {@code exp(x - max) / sum}. Plain
 * loops on purpose: a classifier's softmax runs once per inference, so a Vector API loop there stays interpreted or
 * C1-compiled (every vector a heap object) for the thousands of inferences before C2 compiles it — SqueezeNet's
 * 1000-class softmax took 0.16 ms per inference in a 3 s benchmark through the reference op, against ~5 µs here.
 * With {@code inner > 1} (softmax over the channels of a map) the lines are interleaved, so the passes run along
 * {@code inner}, contiguous rows that C2 vectorizes by itself, with the running maxima and sums in per-request rows.
 */
public final class SoftmaxStep implements Step<float[]> {
    private final int outer;
    private final int n;
    private final int inner;

    private SoftmaxStep(int outer, int n, int inner) {
        this.outer = outer;
        this.n = n;
        this.inner = inner;
    }

    /** The kernel for {@code node}, or {@code null} when it is not an f32 SoftMax over a static shape. */
    public static SoftmaxStep of(Node node) {
        if (!(node.op() instanceof Softmax softmax) || node.outputs().size() != 1
                || node.input(0).type() != ElementType.F32 || !node.input(0).shape().isStatic()) {
            return null;
        }
        int[] shape = node.input(0).shape().toArray();
        int a = Shapes.normalizeAxis(softmax.axis(), shape.length);
        int n = shape[a];
        if (n == 0 || Shapes.size(shape) == 0) {
            return null;
        }
        return new SoftmaxStep(Shapes.product(shape, 0, a), n, Shapes.product(shape, a + 1, shape.length));
    }

    @Override
    public ExecType execType() {
        return ExecType.of("softmax", "FP32");
    }

    @Override
    public float[] newScratch(int threads) {
        return inner == 1 ? null : new float[2 * inner];
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, float[] scratch, WorkerPool pool) {
        float[] x = inputs[0].floats();
        float[] z = outputs[0].floats();
        if (n == 2 && inner == 1) {
            pairs(x, z);
            return;
        }
        for (int o = 0; o < outer; o++) {
            int start = o * n * inner;
            if (inner == 1) {
                line(x, z, start);
            } else {
                lines(x, z, start, scratch);
            }
        }
    }

    private void line(float[] x, float[] z, int start) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = start; k < start + n; k++) {
            max = Math.max(max, x[k]);
        }
        float sum = 0;
        for (int k = start; k < start + n; k++) {
            float e = (float) Math.exp(x[k] - max);
            z[k] = e;
            sum += e;
        }
        float scale = 1f / sum;
        for (int k = start; k < start + n; k++) {
            z[k] *= scale;
        }
    }

    /**
     * Lines of two (a detector's background/object scores, thousands per inference): {@link #line}'s arithmetic
     * without its {@code exp(0)} for the maximum, which is exactly 1, so the results are the same bits with one
     * {@code exp} per line instead of two.
     */
    private void pairs(float[] x, float[] z) {
        for (int k = 0, end = 2 * outer; k < end; k += 2) {
            float a = x[k];
            float b = x[k + 1];
            if (!Float.isFinite(a) || !Float.isFinite(b)) {
                // NaN or infinite scores: the general line, as the reference computes them.
                line(x, z, k);
                continue;
            }
            if (a >= b) {
                float e = (float) Math.exp(b - a);
                float scale = 1f / (1f + e);
                z[k] = scale;
                z[k + 1] = e * scale;
            } else {
                float e = (float) Math.exp(a - b);
                float scale = 1f / (e + 1f);
                z[k] = e * scale;
                z[k + 1] = scale;
            }
        }
    }

    /** The {@code inner} interleaved lines of one outer index: rows of {@code inner} values, one per position. */
    private void lines(float[] x, float[] z, int start, float[] rows) {
        int max = 0;
        int sum = inner;
        System.arraycopy(x, start, rows, max, inner);
        for (int k = 1; k < n; k++) {
            int row = start + k * inner;
            for (int j = 0; j < inner; j++) {
                rows[max + j] = Math.max(rows[max + j], x[row + j]);
            }
        }
        java.util.Arrays.fill(rows, sum, sum + inner, 0f);
        for (int k = 0; k < n; k++) {
            int row = start + k * inner;
            for (int j = 0; j < inner; j++) {
                float e = (float) Math.exp(x[row + j] - rows[max + j]);
                z[row + j] = e;
                rows[sum + j] += e;
            }
        }
        for (int j = 0; j < inner; j++) {
            rows[sum + j] = 1f / rows[sum + j];
        }
        for (int k = 0; k < n; k++) {
            int row = start + k * inner;
            for (int j = 0; j < inner; j++) {
                z[row + j] *= rows[sum + j];
            }
        }
    }
}
