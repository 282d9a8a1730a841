package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A chain of element-wise f32 ops on one tensor in one pass over memory: optionally a residual sum {@code x1 + x2}
 * first, then Multiply, Add or Subtract by one constant per channel (a standalone BatchNorm, Scale or per-channel
 * Multiply/Add after a residual Add, as in pre-activation ResNets), then an activation. Each op is applied in f32
 * exactly as its own step would ({@link EltwiseStep}: a BatchNorm is its f32 scale, then its shift), chunk by chunk
 * while the chunk is in cache, so the result equals the unfused plan's bit for bit; the activation is
 * {@link PostOps#apply}'s. Channels lie along axis 1 of an [N, C, ...] tensor (each plane of one image and channel
 * has one value per op) or along the last axis (channels innermost, NHWC: the values repeat every {@code channels}
 * elements). Large tensors are split across the worker pool in equal shares (by planes' elements, or by whole pixels
 * for channels innermost). No per-call allocation.
 */
public final class EltwiseChainStep extends PartedStep<EltwiseChainStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per chunk: the ops and the activation run over one chunk while it is in L1. */
    private static final int CHUNK = 2048;

    /** What one op of the chain does to the running value {@code v} with its constant {@code k}. */
    public enum Op { MULTIPLY, ADD, SUBTRACT, SUBTRACT_FROM }

    private final boolean residual;
    private final boolean channelsLast;
    private final int channels;
    /** Channels along axis 1: elements of one image and channel. Channels last: 1. */
    private final int planeSize;
    private final long total;
    private final Op[] ops;
    /** Per op, one value per channel. */
    private final float[][] values;
    /** Channels last: per op, its values repeated over {@link #rowPixels} pixels. */
    private final float[][] rows;
    private final int rowPixels;
    /** The activation alone (no scale or bias); {@code null} when there is none. */
    private final PostOps activation;
    private final String described;

    /**
     * @param shape        the tensor's shape (every input's and the output's)
     * @param channelsLast whether channels lie along the last axis (else along axis 1)
     * @param residual     whether two tensors are added first
     * @param ops          the ops in order
     * @param values       per op, one constant per channel
     * @param activation   the activation as post-ops without scale or bias ({@link PostOps#NONE} for none); a
     *                     per-channel PReLU only with channels along axis 1
     * @param described    the fused ops for the exec type, {@code +}-separated
     */
    public EltwiseChainStep(int[] shape, boolean channelsLast, boolean residual, Op[] ops, float[][] values,
                            PostOps activation, String described) {
        this.residual = residual;
        this.channelsLast = channelsLast;
        this.channels = channelsLast ? shape[shape.length - 1] : shape[1];
        this.planeSize = channelsLast ? 1 : dev.infero.core.types.Shapes.product(shape, 2, shape.length);
        this.total = dev.infero.core.types.Shapes.size(shape);
        if (ops.length != values.length) {
            throw new IllegalArgumentException(ops.length + " ops but " + values.length + " value arrays");
        }
        this.ops = ops.clone();
        this.values = new float[ops.length][];
        this.rowPixels = channelsLast ? java.lang.Math.max(1, CHUNK / channels) : 0;
        this.rows = new float[ops.length][];
        for (int i = 0; i < ops.length; i++) {
            if (values[i].length != channels) {
                throw new IllegalArgumentException("op " + i + " needs " + channels + " values, got "
                        + values[i].length);
            }
            this.values[i] = values[i].clone();
            this.rows[i] = channelsLast ? repeat(values[i], rowPixels) : null;
        }
        this.activation = activation.isIdentity() ? null : activation;
        this.described = described;
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
    protected long estimatedNanos() {
        // Memory-bound: each thread's share of the bytes moved must pay for its hand-off.
        return WorkerPool.estimatedNanos(0, 4 * total * (residual ? 3 : 2));
    }

    @Override
    protected long maxParts() {
        return channelsLast ? total / channels : total;
    }

    /** One request's state: the current call's arrays. */
    public final class Scratch extends PartedStep.FloatParts {
        Scratch() {
            super(residual);
        }

        /** Output elements (pixels when channels are last) [t·total/parts, (t+1)·total/parts). */
        @Override
        protected void part(int t, int parts, int slot) {
            if (channelsLast) {
                long pixels = total / channels;
                int from = (int) (pixels * t / parts);
                int to = (int) (pixels * (t + 1) / parts);
                for (int p = from; p < to; p += rowPixels) {
                    int e = p * channels;
                    int n = java.lang.Math.min(rowPixels, to - p) * channels;
                    first(x, y, z, e, n);
                    for (int i = 0; i < ops.length; i++) {
                        apply(ops[i], z, e, n, rows[i]);
                    }
                    if (activation != null) {
                        activation.apply(z, e, n, 0, null);
                    }
                }
                return;
            }
            int from = (int) (total * t / parts);
            int to = (int) (total * (t + 1) / parts);
            for (int e = from; e < to; ) {
                int p = e / planeSize;
                int n = java.lang.Math.min(java.lang.Math.min(planeSize - (e - p * planeSize), to - e), CHUNK);
                int c = p % channels;
                first(x, y, z, e, n);
                for (int i = 0; i < ops.length; i++) {
                    apply(ops[i], z, e, n, values[i][c]);
                }
                if (activation != null) {
                    activation.apply(z, e, n, c, null);
                }
                e += n;
            }
        }
    }

    /** {@code z = x + y} (residual) or {@code z = x} over [e, e+n). */
    private static void first(float[] x, float[] y, float[] z, int e, int n) {
        if (y == null) {
            System.arraycopy(x, e, z, e, n);
            return;
        }
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, e + i).add(FloatVector.fromArray(S, y, e + i)).intoArray(z, e + i);
        }
        for (; i < n; i++) {
            z[e + i] = x[e + i] + y[e + i];
        }
    }

    /** One op with one constant {@code k} on z[e, e+n), in place. */
    private static void apply(Op op, float[] z, int e, int n, float k) {
        FloatVector vk = FloatVector.broadcast(S, k);
        int i = 0;
        int bound = S.loopBound(n);
        // One loop per op: a vector chosen by a condition is a phi C2 may fail to keep unboxed.
        switch (op) {
            case MULTIPLY -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).mul(vk).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] * k;
                }
            }
            case ADD -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).add(vk).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] + k;
                }
            }
            case SUBTRACT -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).sub(vk).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] - k;
                }
            }
            case SUBTRACT_FROM -> {
                for (; i < bound; i += S.length()) {
                    vk.sub(FloatVector.fromArray(S, z, e + i)).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = k - z[e + i];
                }
            }
        }
    }

    /** One op with the values {@code k[0..n)} on z[e, e+n), in place. */
    private static void apply(Op op, float[] z, int e, int n, float[] k) {
        int i = 0;
        int bound = S.loopBound(n);
        switch (op) {
            case MULTIPLY -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).mul(FloatVector.fromArray(S, k, i)).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] * k[i];
                }
            }
            case ADD -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).add(FloatVector.fromArray(S, k, i)).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] + k[i];
                }
            }
            case SUBTRACT -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, z, e + i).sub(FloatVector.fromArray(S, k, i)).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = z[e + i] - k[i];
                }
            }
            case SUBTRACT_FROM -> {
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, k, i).sub(FloatVector.fromArray(S, z, e + i)).intoArray(z, e + i);
                }
                for (; i < n; i++) {
                    z[e + i] = k[i] - z[e + i];
                }
            }
        }
    }
}
