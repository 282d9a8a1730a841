package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.FloatExp;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.FastMinMax;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Standalone f32 Add, Subtract, Multiply, Divide, ReLU, Sigmoid and BatchNormInference (per-channel scale and shift,
 * constant parameters) over static shapes (those not fused into a convolution or matrix
 * multiply).
 * The broadcasts CNNs use are planned at compile time: each operand is the output's shape, a single value, one
 * value per channel of an NCHW output, or the output's trailing dimensions (an NHWC per-channel constant); the output is walked plane by plane (H·W floats of one image and channel),
 * each operand contributing a contiguous row or a repeated value. No per-call allocation. Large ones are split across
 * the worker pool in equal element ranges ({@link WorkerPool#threadsFor} on the bytes moved).
 */
public final class EltwiseStep extends PartedStep<EltwiseStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private enum Math { ADD, MULTIPLY, SUBTRACT, DIVIDE, RELU, SIGMOID, BATCH_NORM }

    /**
     * How an operand maps onto an output plane: the output's shape, one value, one value per NCHW channel, or the
     * output's trailing dimensions (repeating every {@code rowLength[i]} elements: an NHWC per-channel constant), or
     * one vector of 16 lanes per block of a channel-blocked output ([N, Cb, 1, 1, 16] against [N, Cb, H, W, 16]: a
     * squeeze-and-excitation gate in the blocked layout, {@code cpu.blocked}).
     */
    private enum Mode { FULL, SCALAR, PER_CHANNEL, TRAILING, BLOCKED_LANES }

    private final Math math;
    private final Mode[] modes;
    private final int planes;
    private final int channels;
    private final int planeSize;
    /** Per operand in mode TRAILING, its element count (its values repeat with that period over the output). */
    private final int[] rowLength;
    /**
     * A full row with one value per plane (a squeeze-and-excitation gate, a per-channel constant, a scalar): the value
     * broadcast inside a loop of its own ({@link #withValue}), not spread into a scratch row first (one pass less).
     */
    private final boolean valueLoops;
    /** BATCH_NORM: per channel, {@link BatchNormInference#scaleShift} rounded to f32; otherwise null. */
    private float[] scale;
    private float[] shift;

    private EltwiseStep(Math math, Mode[] modes, int[] rowLength, int planes, int channels, int planeSize) {
        this.valueLoops = modes.length == 2 && (modes[0] == Mode.FULL && isValue(modes[1])
                || isValue(modes[0]) && modes[1] == Mode.FULL);
        this.math = math;
        this.modes = modes;
        this.rowLength = rowLength;
        this.planes = planes;
        this.channels = channels;
        this.planeSize = planeSize;
    }

    public static EltwiseStep of(Node node) {
        if (node.op() instanceof BatchNormInference bn) {
            return batchNorm(node, bn);
        }
        Math math = switch (node.op()) {
            case Add a -> Math.ADD;
            case Multiply m -> Math.MULTIPLY;
            case Subtract m -> Math.SUBTRACT;
            case Divide m -> Math.DIVIDE;
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
        boolean blocked = shape.length == 5 && node.inputs().stream().anyMatch(v -> v != null && v.shape().isStatic()
                && mode(v.shape().toArray(), shape) == Mode.BLOCKED_LANES);
        if (blocked) {
            // Planes are the blocks [H, W, 16] of each image: the operand's 16 values of block p repeat over plane p.
            planes = shape[0] * shape[1];
            channels = planes;
            planeSize = shape[2] * shape[3] * shape[4];
        }
        Mode[] modes = new Mode[math == Math.RELU || math == Math.SIGMOID ? 1 : 2];
        int[] rowLength = new int[modes.length];
        for (int i = 0; i < modes.length; i++) {
            Value in = node.input(i);
            if (in == null || in.type() != ElementType.F32 || !in.shape().isStatic()) {
                return null;
            }
            modes[i] = mode(in.shape().toArray(), shape);
            if (modes[i] == null || modes[i] == Mode.PER_CHANNEL && !nchw || modes[i] == Mode.TRAILING && blocked) {
                return null;
            }
            rowLength[i] = dev.infero.core.types.Shapes.size(in.shape().toArray());
        }
        return new EltwiseStep(math, modes, rowLength, planes, channels, planeSize);
    }

    /**
     * A standalone BatchNormInference (one not fused into the layer before it, e.g. after a residual Add) over a
     * static f32 [N, C, ...] input with constant parameters: {@code x·scale[c] + shift[c]} per channel plane.
     */
    private static EltwiseStep batchNorm(Node node, BatchNormInference op) {
        Value x = node.input(0);
        Value out = node.output(0);
        if (x.type() != ElementType.F32 || !x.shape().isStatic() || x.shape().rank() < 2) {
            return null;
        }
        Tensor[] p = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            if ((p[i] = node.input(1 + i).knownValue()) == null) {
                return null;
            }
        }
        int[] shape = out.shape().toArray();
        int channels = shape[1];
        if (p[0].size() != channels) {
            return null;
        }
        BatchNormInference.ScaleShift affine = op.scaleShift(p[0], p[1], p[2], p[3]);
        int planeSize = dev.infero.core.types.Shapes.product(shape, 2, shape.length);
        EltwiseStep step = new EltwiseStep(Math.BATCH_NORM, new Mode[] {Mode.FULL}, new int[1], shape[0] * channels,
                channels, planeSize);
        step.scale = affine.scaleF32();
        step.shift = affine.shiftF32();
        return step;
    }

    private static Mode mode(int[] in, int[] out) {
        if (java.util.Arrays.equals(in, out)) {
            return Mode.FULL;
        }
        if (in.length == 5 && out.length == 5 && in[0] == out[0] && in[1] == out[1] && in[2] == 1 && in[3] == 1
                && in[4] == out[4] && out[2] * out[3] > 1) {
            return Mode.BLOCKED_LANES;
        }
        if (dev.infero.core.types.Shapes.size(in) == 1 && in.length <= out.length) {
            return Mode.SCALAR;
        }
        // [C,1,1] or [1,C,1,1] against [N,C,H,W]
        int[] padded = new int[4];
        if (out.length == 4 && in.length <= 4) {
            java.util.Arrays.fill(padded, 1);
            System.arraycopy(in, 0, padded, 4 - in.length, in.length);
            if (padded[0] == 1 && padded[1] == out[1] && padded[2] == 1 && padded[3] == 1) {
                return Mode.PER_CHANNEL;
            }
        }
        // The output's trailing dimensions after leading 1s, e.g. [3] or [1,1,1,3] against [N,H,W,3].
        int lead = 0;
        while (lead < in.length && in[lead] == 1) {
            lead++;
        }
        int k = in.length - lead;
        if (in.length > out.length) {
            return null;
        }
        for (int a = 0; a < k; a++) {
            if (in[lead + a] != out[out.length - k + a]) {
                return null;
            }
        }
        return Mode.TRAILING;
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
    protected long estimatedNanos() {
        // Memory-bound: each thread's share of the bytes moved must pay for its hand-off.
        return WorkerPool.estimatedNanos(0, 4L * planes * planeSize * (modes.length + 1));
    }

    @Override
    protected long maxParts() {
        return (long) planes * planeSize;
    }

    /** The first operand that is a whole row of the output (its shape): element-wise, so it may be overwritten. */
    @Override
    public int inPlaceInput() {
        for (int i = 0; i < modes.length; i++) {
            if (modes[i] == Mode.FULL) {
                return i;
            }
        }
        return -1;
    }

    /** One request's state: per thread, scratch rows for repeated operands; the current call's arrays. */
    public final class Scratch extends PartedStep.FloatParts {
        /** Per thread, per operand that is not a row of the output, one plane's worth of its repeated value. */
        private final float[][][] rows;

        Scratch(int threads) {
            super(modes.length > 1);
            rows = new float[threads][modes.length][];
            for (float[][] r : rows) {
                for (int i = 0; i < modes.length; i++) {
                    r[i] = new float[modes[i] == Mode.FULL || valueLoops ? 0 : planeSize];
                }
            }
        }

        /** Output elements [t·total/parts, (t+1)·total/parts), walked plane by plane. */
        @Override
        protected void part(int t, int parts, int slot) {
            long total = (long) planes * planeSize;
            int from = (int) (total * t / parts);
            int to = (int) (total * (t + 1) / parts);
            if (math == Math.RELU) {
                relu(x, z, from, to);
                return;
            }
            if (math == Math.SIGMOID) {
                sigmoid(x, z, from, to);
                return;
            }
            if (math == Math.BATCH_NORM) {
                for (int e = from; e < to; ) {
                    int p = e / planeSize;
                    int n = java.lang.Math.min(planeSize - (e - p * planeSize), to - e);
                    int c = p % channels;
                    scaleShift(x, z, e, n, scale[c], shift[c]);
                    e += n;
                }
                return;
            }
            float[][] r = rows[slot];
            boolean xRow = modes[0] == Mode.FULL;
            boolean yRow = modes[1] == Mode.FULL;
            if (valueLoops) {
                for (int e = from; e < to; ) {
                    int p = e / planeSize;
                    int n = java.lang.Math.min(planeSize - (e - p * planeSize), to - e);
                    int c = p % channels;
                    if (xRow) {
                        withValue(math, x, e, y[modes[1] == Mode.SCALAR ? 0 : c], false, z, n);
                    } else {
                        withValue(math, y, e, x[modes[0] == Mode.SCALAR ? 0 : c], true, z, n);
                    }
                    e += n;
                }
                return;
            }
            for (int e = from; e < to; ) {
                int p = e / planeSize;
                int n = java.lang.Math.min(planeSize - (e - p * planeSize), to - e);
                int c = p % channels;
                // A repeated value is spread into a scratch row (once per plane), so that the loops below see rows
                // only: vectors chosen by a condition are phis C2 cannot keep unboxed.
                if (!xRow) {
                    spread(x, 0, e, c, r[0], n);
                }
                if (!yRow) {
                    spread(y, 1, e, c, r[1], n);
                }
                float[] a = xRow ? x : r[0];
                float[] b = yRow ? y : r[1];
                int ao = xRow ? e : 0;
                int bo = yRow ? e : 0;
                switch (math) {
                    case ADD -> add(a, ao, b, bo, z, e, n);
                    case MULTIPLY -> multiply(a, ao, b, bo, z, e, n);
                    case SUBTRACT -> subtract(a, ao, b, bo, z, e, n);
                    default -> divide(a, ao, b, bo, z, e, n);
                }
                e += n;
            }
        }
    }

    private static boolean isValue(Mode m) {
        return m == Mode.SCALAR || m == Mode.PER_CHANNEL;
    }

    /** Operand {@code i}'s values for output elements [e, e+n) (of channel c) into {@code row}. */
    private void spread(float[] v, int i, int e, int c, float[] row, int n) {
        if (modes[i] != Mode.TRAILING && modes[i] != Mode.BLOCKED_LANES) {
            java.util.Arrays.fill(row, 0, n, v[modes[i] == Mode.SCALAR ? 0 : c]);
            return;
        }
        // One period from the right phase, then doubled: the values repeat every rowLength elements of the output
        // (BLOCKED_LANES: the 16 lanes of plane c, which starts at a multiple of 16).
        int len = modes[i] == Mode.BLOCKED_LANES ? 16 : rowLength[i];
        int base = modes[i] == Mode.BLOCKED_LANES ? c * 16 : 0;
        int phase = e % len;
        int first = java.lang.Math.min(len - phase, n);
        System.arraycopy(v, base + phase, row, 0, first);
        int filled = first;
        if (filled < n) {
            int m = java.lang.Math.min(phase, n - filled);
            System.arraycopy(v, base, row, filled, m);
            filled += m;
        }
        while (filled < n) {
            int m = java.lang.Math.min(filled, n - filled);
            System.arraycopy(row, 0, row, filled, m);
            filled += m;
        }
    }

    /**
     * {@code z[o+i] = a[o+i] ∘ v} for i in [0, n), or {@code v ∘ a[o+i]} when {@code valueFirst}: each operation and
     * order its own loop, the broadcast made before it (as {@link #scaleShift}), so C2 keeps the vectors unboxed.
     */
    private static void withValue(Math math, float[] a, int o, float v, boolean valueFirst, float[] z, int n) {
        switch (math) {
            case ADD -> addValue(a, o, v, z, n);
            case MULTIPLY -> multiplyValue(a, o, v, z, n);
            case SUBTRACT -> {
                if (valueFirst) {
                    valueMinus(a, o, v, z, n);
                } else {
                    minusValue(a, o, v, z, n);
                }
            }
            default -> {
                if (valueFirst) {
                    valueOver(a, o, v, z, n);
                } else {
                    overValue(a, o, v, z, n);
                }
            }
        }
    }

    private static void addValue(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, o + i).add(vv).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = a[o + i] + v;
        }
    }

    private static void multiplyValue(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, o + i).mul(vv).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = a[o + i] * v;
        }
    }

    private static void minusValue(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, o + i).sub(vv).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = a[o + i] - v;
        }
    }

    private static void valueMinus(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            vv.sub(FloatVector.fromArray(S, a, o + i)).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = v - a[o + i];
        }
    }

    private static void overValue(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, o + i).div(vv).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = a[o + i] / v;
        }
    }

    private static void valueOver(float[] a, int o, float v, float[] z, int n) {
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            vv.div(FloatVector.fromArray(S, a, o + i)).intoArray(z, o + i);
        }
        for (; i < n; i++) {
            z[o + i] = v / a[o + i];
        }
    }

    private static void scaleShift(float[] x, float[] z, int from, int n, float a, float b) {
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vb = FloatVector.broadcast(S, b);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, from + i).mul(va).add(vb).intoArray(z, from + i);
        }
        for (; i < n; i++) {
            z[from + i] = x[from + i] * a + b;
        }
    }

    private static void relu(float[] x, float[] z, int from, int to) {
        FastMinMax.relu(x, from, z, from, to - from);
    }

    /**
     * {@link FloatExp#sigmoid(float)} on every value, bit for bit in the vector body and the tail (not
     * {@code lanewise(EXP)}, whose bits change once C2 compiles the loop): FloatExp's vector steps written out in the
     * loop, so no vector crosses a call.
     */
    private static void sigmoid(float[] x, float[] z, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector lo = FloatVector.broadcast(S, FloatExp.LO);
        FloatVector hi = FloatVector.broadcast(S, FloatExp.HI);
        FloatVector log2e = FloatVector.broadcast(S, FloatExp.LOG2E);
        FloatVector magic = FloatVector.broadcast(S, FloatExp.MAGIC);
        FloatVector ln2Hi = FloatVector.broadcast(S, FloatExp.NEG_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(S, FloatExp.NEG_LN2_LO);
        FloatVector p0 = FloatVector.broadcast(S, FloatExp.P0);
        FloatVector p1 = FloatVector.broadcast(S, FloatExp.P1);
        FloatVector p2 = FloatVector.broadcast(S, FloatExp.P2);
        FloatVector p3 = FloatVector.broadcast(S, FloatExp.P3);
        FloatVector p4 = FloatVector.broadcast(S, FloatExp.P4);
        FloatVector p5 = FloatVector.broadcast(S, FloatExp.P5);
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            // exp(0 - x): clamp, n = round(x · log2 e), r = x - n · ln 2, the polynomial, 2^n into the exponent.
            FloatVector r = zero.sub(FloatVector.fromArray(S, x, i)).max(lo).min(hi);
            FloatVector n = r.fma(log2e, magic);
            IntVector e = n.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
            n = n.sub(magic);
            r = n.fma(ln2Lo, n.fma(ln2Hi, r));
            FloatVector q = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r, one).fma(r, one);
            one.div(q.reinterpretAsInts().add(e).reinterpretAsFloats().add(one)).intoArray(z, i);
        }
        for (; i < to; i++) {
            z[i] = FloatExp.sigmoid(x[i]);
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

    private static void subtract(float[] x, int xo, float[] y, int yo, float[] z, int zo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, y, yo + i)).intoArray(z, zo + i);
        }
        for (; i < n; i++) {
            z[zo + i] = x[xo + i] - y[yo + i];
        }
    }

    private static void divide(float[] x, int xo, float[] y, int yo, float[] z, int zo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).div(FloatVector.fromArray(S, y, yo + i)).intoArray(z, zo + i);
        }
        for (; i < n; i++) {
            z[zo + i] = x[xo + i] / y[yo + i];
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
