package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.FastMinMax;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Standalone f32 Add, Multiply, ReLU and Sigmoid over static shapes (those not fused into a convolution or matrix
 * multiply).
 * The broadcasts CNNs use are planned at compile time: each operand is the output's shape, a single value, or one
 * value per channel of an NCHW output; the output is walked plane by plane (H·W floats of one image and channel),
 * each operand contributing a contiguous row or a repeated value. No per-call allocation. Large ones are split across
 * the worker pool in equal element ranges ({@link WorkerPool#threadsFor} on the bytes moved).
 */
public final class EltwiseStep implements Step<EltwiseStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private enum Math { ADD, MULTIPLY, RELU, SIGMOID }

    /** How an operand maps onto an output plane. */
    private enum Mode { FULL, SCALAR, PER_CHANNEL }

    private final Math math;
    private final Mode[] modes;
    private final int planes;
    private final int channels;
    private final int planeSize;

    private EltwiseStep(Math math, Mode[] modes, int planes, int channels, int planeSize) {
        this.math = math;
        this.modes = modes;
        this.planes = planes;
        this.channels = channels;
        this.planeSize = planeSize;
    }

    public static EltwiseStep of(Node node) {
        Math math = switch (node.op()) {
            case Add a -> Math.ADD;
            case Multiply m -> Math.MULTIPLY;
            case Relu r -> Math.RELU;
            case Sigmoid r -> Math.SIGMOID;
            default -> null;
        };
        Value out = node.outputs().size() == 1 ? node.output(0) : null;
        if (math == null || out == null || out.type() != ElementType.F32 || !out.shape().isStatic()) {
            return null;
        }
        int[] shape = out.shape().toArray();
        boolean nchw = shape.length == 4;
        int channels = nchw ? shape[1] : 1;
        int planeSize = nchw ? shape[2] * shape[3] : dev.infero.core.types.Shapes.size(shape);
        int planes = nchw ? shape[0] * shape[1] : 1;
        Mode[] modes = new Mode[math == Math.RELU || math == Math.SIGMOID ? 1 : 2];
        for (int i = 0; i < modes.length; i++) {
            Value in = node.input(i);
            if (in == null || in.type() != ElementType.F32 || !in.shape().isStatic()) {
                return null;
            }
            modes[i] = mode(in.shape().toArray(), shape);
            if (modes[i] == null || modes[i] == Mode.PER_CHANNEL && !nchw) {
                return null;
            }
        }
        return new EltwiseStep(math, modes, planes, channels, planeSize);
    }

    private static Mode mode(int[] in, int[] out) {
        if (java.util.Arrays.equals(in, out)) {
            return Mode.FULL;
        }
        if (dev.infero.core.types.Shapes.size(in) == 1 && in.length <= out.length) {
            return Mode.SCALAR;
        }
        // [C,1,1] or [1,C,1,1] against [N,C,H,W]
        int[] padded = new int[4];
        if (out.length != 4 || in.length > 4) {
            return null;
        }
        java.util.Arrays.fill(padded, 1);
        System.arraycopy(in, 0, padded, 4 - in.length, in.length);
        return padded[0] == 1 && padded[1] == out[1] && padded[2] == 1 && padded[3] == 1 ? Mode.PER_CHANNEL : null;
    }

    @Override
    public ExecType execType() {
        return ExecType.vector("eltwise_" + math.name().toLowerCase(java.util.Locale.ROOT), "FP32");
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch s, WorkerPool pool) {
        s.z = outputs[0].floats();
        s.x = inputs[0].floats();
        s.y = modes.length > 1 ? inputs[1].floats() : null;
        long total = (long) planes * planeSize;
        // Memory-bound: each thread's share of the bytes moved must pay for its hand-off.
        s.tasks = java.lang.Math.min(pool.threadsFor(0, 4 * total * (modes.length + 1)), s.rows.length);
        pool.parallelFor(s.tasks, s.task);
        s.x = null;
        s.y = null;
        s.z = null;
    }

    /** The step as {@code tasks} parts run one after another on this thread (each part as one thread runs it). */
    void runInParts(Tensor[] inputs, Tensor[] outputs, int tasks) {
        Scratch s = new Scratch(tasks);
        s.z = outputs[0].floats();
        s.x = inputs[0].floats();
        s.y = modes.length > 1 ? inputs[1].floats() : null;
        s.tasks = tasks;
        for (int t = 0; t < tasks; t++) {
            s.part(t);
        }
    }

    /** One request's state: per thread, scratch rows for repeated operands; the current call's arrays. */
    public final class Scratch {
        /** Per thread, per operand that is not a row of the output, one plane's worth of its repeated value. */
        private final float[][][] rows;
        private final java.util.function.IntConsumer task = this::part;
        private float[] x;
        private float[] y;
        private float[] z;
        private int tasks;

        Scratch(int threads) {
            rows = new float[threads][modes.length][];
            for (float[][] r : rows) {
                for (int i = 0; i < modes.length; i++) {
                    r[i] = new float[modes[i] == Mode.FULL ? 0 : planeSize];
                }
            }
        }

        /** Output elements [t·total/tasks, (t+1)·total/tasks): equal shares, walked plane by plane. */
        private void part(int t) {
            long total = (long) planes * planeSize;
            int from = (int) (total * t / tasks);
            int to = (int) (total * (t + 1) / tasks);
            if (math == Math.RELU) {
                relu(x, z, from, to);
                return;
            }
            if (math == Math.SIGMOID) {
                sigmoid(x, z, from, to);
                return;
            }
            float[][] r = rows[t];
            boolean xRow = modes[0] == Mode.FULL;
            boolean yRow = modes[1] == Mode.FULL;
            for (int e = from; e < to; ) {
                int p = e / planeSize;
                int n = java.lang.Math.min(planeSize - (e - p * planeSize), to - e);
                int c = p % channels;
                // A repeated value is spread into a scratch row (once per plane), so that the loops below see rows
                // only: vectors chosen by a condition are phis C2 cannot keep unboxed.
                if (!xRow) {
                    java.util.Arrays.fill(r[0], 0, n, x[modes[0] == Mode.SCALAR ? 0 : c]);
                }
                if (!yRow) {
                    java.util.Arrays.fill(r[1], 0, n, y[modes[1] == Mode.SCALAR ? 0 : c]);
                }
                if (math == Math.ADD) {
                    add(xRow ? x : r[0], xRow ? e : 0, yRow ? y : r[1], yRow ? e : 0, z, e, n);
                } else {
                    multiply(xRow ? x : r[0], xRow ? e : 0, yRow ? y : r[1], yRow ? e : 0, z, e, n);
                }
                e += n;
            }
        }
    }

    private static void relu(float[] x, float[] z, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FastMinMax.relu(FloatVector.fromArray(S, x, i)).intoArray(z, i);
        }
        for (; i < to; i++) {
            z[i] = java.lang.Math.max(x[i], 0f);
        }
    }

    private static void sigmoid(float[] x, float[] z, int from, int to) {
        int i = from;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            one.div(FloatVector.fromArray(S, x, i).neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(z, i);
        }
        for (; i < to; i++) {
            z[i] = (float) (1 / (1 + java.lang.Math.exp(-x[i])));
        }
    }

    private static void add(float[] x, int xo, float[] y, int yo, float[] z, int zo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(z, zo + i);
        }
        for (; i < n; i++) {
            z[zo + i] = x[xo + i] + y[yo + i];
        }
    }

    private static void multiply(float[] x, int xo, float[] y, int yo, float[] z, int zo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i)).intoArray(z, zo + i);
        }
        for (; i < n; i++) {
            z[zo + i] = x[xo + i] * y[yo + i];
        }
    }
}
