package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A chain of element-wise f32 ops on one tensor in one pass: {@code y = act(x·scale[c] + shift[c])}, or with a
 * residual sum first, {@code y = act((x1 + x2)·scale[c] + shift[c])} (a standalone BatchNorm, Scale or per-channel
 * Multiply/Add after a residual Add, as in pre-activation ResNets). The per-channel constants are the chain's
 * composition, made by {@code cpu.fusion.EltwiseChainFusion}; the affine map is one fused multiply-add, the activation
 * is {@link PostOps#apply}'s, applied to each chunk while it is in cache. Channels lie along axis 1 of an
 * [N, C, ...] tensor (each plane of one image and channel has one scale and shift) or along the last axis (channels
 * innermost, NHWC: the constants repeat every {@code channels} elements). Large tensors are split across the worker
 * pool in equal shares (by planes' elements, or by whole pixels for channels innermost). No per-call allocation.
 */
public final class EltwiseChainStep implements Step<EltwiseChainStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per pass of the affine map before the activation reads them back (in L1). */
    private static final int CHUNK = 2048;

    private final boolean residual;
    private final boolean channelsLast;
    private final int channels;
    /** Channels along axis 1: elements of one image and channel. Channels last: 1. */
    private final int planeSize;
    private final long total;
    private final float[] scale;
    private final float[] shift;
    /** Channels last: {@link #scale} and {@link #shift} repeated over {@link #rowPixels} pixels. */
    private final float[] scaleRow;
    private final float[] shiftRow;
    private final int rowPixels;
    /** The activation alone (no scale or bias); {@code null} when there is none. */
    private final PostOps activation;
    private final String described;

    /**
     * @param shape        the tensor's shape (every input's and the output's)
     * @param channelsLast whether channels lie along the last axis (else along axis 1)
     * @param residual     whether two tensors are added first
     * @param scale        per channel
     * @param shift        per channel
     * @param activation   the activation as post-ops without scale or bias ({@link PostOps#NONE} for none); a
     *                     per-channel PReLU only with channels along axis 1
     * @param described    the fused ops for the exec type, {@code +}-separated
     */
    public EltwiseChainStep(int[] shape, boolean channelsLast, boolean residual, float[] scale, float[] shift,
                            PostOps activation, String described) {
        this.residual = residual;
        this.channelsLast = channelsLast;
        this.channels = channelsLast ? shape[shape.length - 1] : shape[1];
        this.planeSize = channelsLast ? 1 : dev.infero.core.types.Shapes.product(shape, 2, shape.length);
        this.total = dev.infero.core.types.Shapes.size(shape);
        if (scale.length != channels || shift.length != channels) {
            throw new IllegalArgumentException("scale and shift need " + channels + " values, got " + scale.length
                    + " and " + shift.length);
        }
        this.scale = scale.clone();
        this.shift = shift.clone();
        this.activation = activation.isIdentity() ? null : activation;
        this.described = described;
        this.rowPixels = channelsLast ? java.lang.Math.max(1, CHUNK / channels) : 0;
        this.scaleRow = channelsLast ? repeat(scale, rowPixels) : null;
        this.shiftRow = channelsLast ? repeat(shift, rowPixels) : null;
    }

    private static float[] repeat(float[] v, int times) {
        float[] row = new float[v.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(v, 0, row, i * v.length, v.length);
        }
        return row;
    }

    @Override
    public ExecType execType() {
        return ExecType.vector("eltwise_chain", "FP32").with(described);
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch();
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch s, WorkerPool pool) {
        s.x = inputs[0].floats();
        s.y = residual ? inputs[1].floats() : null;
        s.z = outputs[0].floats();
        // Memory-bound: each thread's share of the bytes moved must pay for its hand-off.
        s.tasks = pool.threadsFor(0, 4 * total * (residual ? 3 : 2));
        pool.parallelFor(s.tasks, s.task);
        s.x = null;
        s.y = null;
        s.z = null;
    }

    /** The step as {@code tasks} parts run one after another on this thread (each part as one thread runs it). */
    void runInParts(Tensor[] inputs, Tensor[] outputs, int tasks) {
        Scratch s = new Scratch();
        s.x = inputs[0].floats();
        s.y = residual ? inputs[1].floats() : null;
        s.z = outputs[0].floats();
        s.tasks = tasks;
        for (int t = 0; t < tasks; t++) {
            s.part(t);
        }
    }

    /** One request's state: the current call's arrays. */
    public final class Scratch {
        private final java.util.function.IntConsumer task = this::part;
        private float[] x;
        private float[] y;
        private float[] z;
        private int tasks;

        private void part(int t) {
            if (channelsLast) {
                long pixels = total / channels;
                int from = (int) (pixels * t / tasks);
                int to = (int) (pixels * (t + 1) / tasks);
                for (int p = from; p < to; p += rowPixels) {
                    int e = p * channels;
                    int n = java.lang.Math.min(rowPixels, to - p) * channels;
                    affine(x, y, z, e, n, scaleRow, shiftRow);
                    if (activation != null) {
                        activation.apply(z, e, n, 0, null);
                    }
                }
                return;
            }
            int from = (int) (total * t / tasks);
            int to = (int) (total * (t + 1) / tasks);
            for (int e = from; e < to; ) {
                int p = e / planeSize;
                int n = java.lang.Math.min(java.lang.Math.min(planeSize - (e - p * planeSize), to - e), CHUNK);
                int c = p % channels;
                affine(x, y, z, e, n, scale[c], shift[c]);
                if (activation != null) {
                    activation.apply(z, e, n, c, null);
                }
                e += n;
            }
        }
    }

    /** {@code z = (x [+ y])·a + b} over [e, e+n), one value of a and b. */
    private static void affine(float[] x, float[] y, float[] z, int e, int n, float a, float b) {
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vb = FloatVector.broadcast(S, b);
        int i = 0;
        int bound = S.loopBound(n);
        if (y == null) {
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, e + i).fma(va, vb).intoArray(z, e + i);
            }
            for (; i < n; i++) {
                z[e + i] = java.lang.Math.fma(x[e + i], a, b);
            }
            return;
        }
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, e + i).add(FloatVector.fromArray(S, y, e + i)).fma(va, vb)
                    .intoArray(z, e + i);
        }
        for (; i < n; i++) {
            z[e + i] = java.lang.Math.fma(x[e + i] + y[e + i], a, b);
        }
    }

    /** {@code z = (x [+ y])·a[i] + b[i]} over [e, e+n), the values of a and b from index 0. */
    private static void affine(float[] x, float[] y, float[] z, int e, int n, float[] a, float[] b) {
        int i = 0;
        int bound = S.loopBound(n);
        if (y == null) {
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, e + i).fma(FloatVector.fromArray(S, a, i), FloatVector.fromArray(S, b, i))
                        .intoArray(z, e + i);
            }
            for (; i < n; i++) {
                z[e + i] = java.lang.Math.fma(x[e + i], a[i], b[i]);
            }
            return;
        }
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, e + i).add(FloatVector.fromArray(S, y, e + i))
                    .fma(FloatVector.fromArray(S, a, i), FloatVector.fromArray(S, b, i)).intoArray(z, e + i);
        }
        for (; i < n; i++) {
            z[e + i] = java.lang.Math.fma(x[e + i] + y[e + i], a[i], b[i]);
        }
    }
}
