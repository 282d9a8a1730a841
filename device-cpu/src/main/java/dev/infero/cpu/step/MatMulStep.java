package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.VectorLanes;
import dev.infero.cpu.kernels.Gemv;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PackedGemm;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Y[M, N] = X[M, K] · Wᵀ} with constant weights {@code W[N, K]}, bias and activation fused, computed as
 * {@code Yᵀ = W · Xᵀ} so the weights are the constant left operand and the bias is per row (per "channel" of
 * {@link PostOps}). With few rows of X (batch 1 classifiers) every weight is used once or twice, so each row of X
 * runs the matrix-vector kernel {@link Gemv} over weights packed once for a sequential aligned stream (memory-bound
 * either way), writing Y directly; with more rows the weights are packed once for {@link PackedGemm}. Layers of
 * fewer than {@link #MIN_GEMV_WEIGHTS} weights (heads of a few outputs) take one vectorized dot product per output
 * over the row-major weights instead: as fast there, and called once per output, so C2 compiles it early (a
 * kernel called once per inference with a loop of a few steps stays interpreted for thousands of inferences, and
 * meanwhile the Vector API methods it calls get compiled on their own, too large for C2 to inline into the other
 * kernels compiled later, which then box their vectors: AllocationFreeInferenceTest's deconvolution model).
 */
public final class MatMulStep implements Step<MatMulStep.Scratch> {
    /** Fewer rows of X than this take the matrix-vector path ({@link Gemv} per row). */
    static final int MIN_GEMM_ROWS = 4;
    /** Fewer weights than this take the dot products, see above. */
    static final int MIN_GEMV_WEIGHTS = 4096;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int m;
    private final int k;
    private final int n;
    private final Gemv gemv;
    /** The row-major weights of the dot-product path, or {@code null}. */
    private final float[] rows;
    private final PackedGemm packed;
    private final PostOps post;
    /** The post-ops along {@link #gemv}'s output, or {@code null}. */
    private final PostOps.AlongChannels alongColumns;
    /** The post-ops in the generated kernel's registers, or {@code null}. */
    private final MicroKernel.Fused fused;

    public MatMulStep(int m, int k, int n, float[] weights, PostOps post) {
        this.m = m;
        this.k = k;
        this.n = n;
        this.post = post;
        boolean gemm = m >= MIN_GEMM_ROWS;
        boolean dots = !gemm && (long) n * k < MIN_GEMV_WEIGHTS;
        this.gemv = gemm || dots ? null : new Gemv(n, k, weights, 0);
        this.rows = dots ? weights : null;
        this.alongColumns = gemv == null ? null : post.alongChannels(n);
        this.packed = gemm ? new PackedGemm(n, k, weights, 0, k, MicroKernel.forCompilation()) : null;
        this.fused = gemm ? packed.micro().fuse(post) : null;
    }

    @Override
    public ExecType execType() {
        ExecType type = packed != null ? ExecType.of("gemm_" + packed.micro().implementation(), "FP32")
                : ExecType.vector("gemv", "FP32");
        return type.with(post);
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Xᵀ and Yᵀ (GEMM path), per-thread GEMM workspace, and the current call's arguments. */
    final class Scratch {
        final float[] xt = new float[packed != null ? k * m : 0];
        final float[] yt = new float[packed != null || rows != null ? n * m : 0];
        final float[][] ws;
        /** Per thread, {@link Gemv}'s scratch. */
        final float[][] gemvScratch;
        final java.util.function.IntConsumer task = this::runTask;
        float[] x;
        float[] y;
        int tasks;

        Scratch(int threads) {
            ws = new float[packed != null ? threads : 0][PackedGemm.workspaceSize()];
            gemvScratch = new float[gemv == null ? 0 : threads][Gemv.scratchFloats()];
        }

        private void runTask(int t) {
            if (packed != null) {
                // Column blocks of Yᵀ (rows of Y), NR wide, dealt out to the tasks.
                for (int j0 = t * PackedGemm.NR; j0 < m; j0 += tasks * PackedGemm.NR) {
                    packed.multiply(Math.min(PackedGemm.NR, m - j0), xt, j0, m, yt, j0, m, post, fused, 0, ws[t]);
                }
            } else if (rows != null) {
                int per = (n + tasks - 1) / tasks;
                for (int row = t * per; row < Math.min(n, (t + 1) * per); row++) {
                    for (int j = 0; j < m; j++) {
                        yt[row * m + j] = dot(rows, row * k, x, j * k, k);
                    }
                    post.apply(yt, row * m, m, row, null);
                }
            } else {
                // Units of output columns dealt out in ranges, every row of X over each.
                int units = gemv.units();
                int from = (int) ((long) units * t / tasks);
                int to = (int) ((long) units * (t + 1) / tasks);
                for (int j = 0; j < m; j++) {
                    gemv.multiply(x, j * k, y, j * n, from, to, alongColumns, null, gemvScratch[t]);
                }
            }
        }
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch scratch, WorkerPool pool) {
        Scratch s = scratch;
        float[] x = inputs[0].floats();
        float[] y = outputs[0].floats();
        // The weights are read once whatever the rows: memory-bound at batch 1.
        int threads = pool.threadsFor(2L * m * n * k, 4L * ((long) n * k + (long) m * (n + k)));
        if (packed != null) {
            transpose(x, m, k, s.xt);
            s.tasks = Math.min(Math.min(threads, s.ws.length), (m + PackedGemm.NR - 1) / PackedGemm.NR);
        } else if (rows != null) {
            s.tasks = Math.min(threads, n);
        } else {
            s.tasks = Math.min(Math.min(threads, s.gemvScratch.length), gemv.units());
        }
        s.x = x;
        s.y = y;
        pool.parallelFor(s.tasks, s.task);
        s.x = null;
        s.y = null;
        if (gemv == null) {
            transpose(s.yt, n, m, y);
        }
    }

    /** {@code dst[cols × rows] = src[rows × cols]ᵀ}. */
    private static void transpose(float[] src, int rows, int cols, float[] dst) {
        if (rows == 1 || cols == 1) {
            System.arraycopy(src, 0, dst, 0, rows * cols);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int l = S.length();
        int i = 0;
        for (int bound = len - 2 * l; i <= bound; i += 2 * l) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + i + l).fma(FloatVector.fromArray(S, b, bOff + i + l), acc1);
        }
        for (int bound = S.loopBound(len); i < bound; i += l) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
        }
        float sum = VectorLanes.sum(acc0.add(acc1));
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }
}
