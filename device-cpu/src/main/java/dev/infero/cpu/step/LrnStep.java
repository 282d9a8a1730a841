package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.normalization.LRN;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cross-channel LRN (axes = [1]) of f32 NCHW data: {@code x / (bias + alpha/size · Σ x²)^beta}, the sum over the
 * channel window {@code [c - (size-1)/2, c + size/2]} as the reference op defines it. Each channel's window sum is
 * added up afresh (no sliding subtraction, whose cancellation would lose precision), vectorized over the plane;
 * images are split across threads. Scratch holds the squares and the window sum, allocated once per request.
 */
public final class LrnStep implements Step<LrnStep.Task> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int batch;
    private final int channels;
    private final int plane;
    private final int before;
    private final int after;
    private final float scale;
    private final float bias;
    private final float beta;

    private LrnStep(int[] shape, long size, double alpha, double bias, double beta) {
        this.batch = shape[0];
        this.channels = shape[1];
        this.plane = shape[2] * shape[3];
        this.before = (int) ((size - 1) / 2);
        this.after = (int) (size / 2);
        this.scale = (float) (alpha / size);
        this.bias = (float) bias;
        this.beta = (float) beta;
    }

    public static LrnStep of(Node node) {
        if (!(node.op() instanceof LRN op) || node.input(0).type() != ElementType.F32) {
            return null;
        }
        Value x = node.input(0);
        Value axes = node.input(1);
        if (!x.shape().isStatic() || x.shape().rank() != 4 || axes == null || !axes.isKnown()
                || axes.knownValue().size() != 1 || Math.floorMod(axes.knownValue().getLong(0), 4) != 1) {
            return null;
        }
        return new LrnStep(x.shape().toArray(), op.size(), op.alpha(), op.bias(), op.beta());
    }

    @Override
    public ExecType execType() {
        return ExecType.vector("lrn_across_channels", "FP32");
    }

    /** One image at a time per thread: squares of every channel plane and the sliding window sum. */
    static final class Task implements IntConsumer {
        final LrnStep k;
        final float[][] squares;
        final float[][] sums;
        float[] x;
        float[] y;
        int threads;

        Task(LrnStep k, int threads) {
            this.k = k;
            this.squares = new float[threads][k.channels * k.plane];
            this.sums = new float[threads][k.plane];
        }

        @Override
        public void accept(int t) {
            for (int n = t; n < k.batch; n += threads) {
                k.image(x, y, n, squares[t], sums[t]);
            }
        }
    }

    @Override
    public Task newScratch(int threads) {
        return new Task(this, threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Task scratch, WorkerPool pool) {
        Task task = scratch != null && scratch.squares.length >= pool.threads() ? scratch : new Task(this, pool.threads());
        task.x = inputs[0].floats();
        task.y = outputs[0].floats();
        // Images are dealt out by task index with a stride of the task count.
        task.threads = Math.min(pool.maxThreads(), batch);
        pool.parallelFor(task.threads, task);
    }

    private void image(float[] x, float[] y, int n, float[] sq, float[] sum) {
        int base = n * channels * plane;
        for (int i = 0; i < channels * plane; i++) {
            float v = x[base + i];
            sq[i] = v * v;
        }
        FloatVector vScale = FloatVector.broadcast(S, scale);
        FloatVector vBias = FloatVector.broadcast(S, bias);
        for (int c = 0; c < channels; c++) {
            java.util.Arrays.fill(sum, 0, plane, 0f);
            for (int j = Math.max(0, c - before); j <= Math.min(channels - 1, c + after); j++) {
                add(sq, j * plane, sum);
            }
            int off = base + c * plane;
            int i = 0;
            for (int bound = S.loopBound(plane); i < bound; i += S.length()) {
                FloatVector d = FloatVector.fromArray(S, sum, i).fma(vScale, vBias).lanewise(VectorOperators.POW, beta);
                FloatVector.fromArray(S, x, off + i).div(d).intoArray(y, off + i);
            }
            for (; i < plane; i++) {
                y[off + i] = x[off + i] / (float) Math.pow(sum[i] * scale + bias, beta);
            }
        }
    }

    /** sum += sq[off .. off + plane). */
    private void add(float[] sq, int off, float[] sum) {
        int i = 0;
        for (int bound = S.loopBound(plane); i < bound; i += S.length()) {
            FloatVector.fromArray(S, sq, off + i).add(FloatVector.fromArray(S, sum, i)).intoArray(sum, i);
        }
        for (; i < plane; i++) {
            sum[i] += sq[off + i];
        }
    }
}
