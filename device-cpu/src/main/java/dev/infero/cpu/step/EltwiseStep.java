package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.FastMinMax;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Standalone f32 Add, Multiply and ReLU over static shapes (those not fused into a convolution or matrix multiply).
 * The broadcasts CNNs use are planned at compile time: each operand is the output's shape, a single value, or one
 * value per channel of an NCHW output; the output is walked plane by plane (H·W floats of one image and channel),
 * each operand contributing a contiguous row or a repeated value. No per-call allocation.
 */
public final class EltwiseStep implements Step<float[][]> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private enum Math { ADD, MULTIPLY, RELU }

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
        Mode[] modes = new Mode[math == Math.RELU ? 1 : 2];
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

    /** Per operand that is not a row of the output, one plane's worth of its repeated value. */
    @Override
    public float[][] newScratch(int threads) {
        float[][] rows = new float[modes.length][];
        for (int i = 0; i < modes.length; i++) {
            rows[i] = new float[modes[i] == Mode.FULL ? 0 : planeSize];
        }
        return rows;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, float[][] scratch, WorkerPool pool) {
        float[] z = outputs[0].floats();
        float[] x = inputs[0].floats();
        if (math == Math.RELU) {
            relu(x, z, planes * planeSize);
            return;
        }
        float[] y = inputs[1].floats();
        float[][] rows = scratch;
        for (int p = 0; p < planes; p++) {
            int off = p * planeSize;
            int c = p % channels;
            // A repeated value is spread into a scratch row (once per plane), so that the loops below see rows
            // only: vectors chosen by a condition are phis C2 cannot keep unboxed.
            boolean xRow = modes[0] == Mode.FULL;
            boolean yRow = modes[1] == Mode.FULL;
            if (!xRow) {
                java.util.Arrays.fill(rows[0], x[modes[0] == Mode.SCALAR ? 0 : c]);
            }
            if (!yRow) {
                java.util.Arrays.fill(rows[1], y[modes[1] == Mode.SCALAR ? 0 : c]);
            }
            if (math == Math.ADD) {
                add(xRow ? x : rows[0], xRow ? off : 0, yRow ? y : rows[1], yRow ? off : 0, z, off, planeSize);
            } else {
                multiply(xRow ? x : rows[0], xRow ? off : 0, yRow ? y : rows[1], yRow ? off : 0, z, off, planeSize);
            }
        }
    }

    private static void relu(float[] x, float[] z, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FastMinMax.relu(FloatVector.fromArray(S, x, i)).intoArray(z, i);
        }
        for (; i < n; i++) {
            z[i] = java.lang.Math.max(x[i], 0f);
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
