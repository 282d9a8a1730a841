package dev.infero.cpu;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Standalone f32 Add, Multiply and ReLU over static shapes (those not fused into a convolution or matrix multiply).
 * The broadcasts CNNs use are planned at compile time: each operand is the output's shape, a single value, or one
 * value per channel of an NCHW output; the output is walked plane by plane (H·W floats of one image and channel),
 * each operand contributing a contiguous row or a repeated value. No per-call allocation.
 */
final class EltwiseKernel implements Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private enum Math { ADD, MULTIPLY, RELU }

    /** How an operand maps onto an output plane. */
    private enum Mode { FULL, SCALAR, PER_CHANNEL }

    private final Math math;
    private final Mode[] modes;
    private final int planes;
    private final int channels;
    private final int planeSize;

    private EltwiseKernel(Math math, Mode[] modes, int planes, int channels, int planeSize) {
        this.math = math;
        this.modes = modes;
        this.planes = planes;
        this.channels = channels;
        this.planeSize = planeSize;
    }

    static EltwiseKernel of(Node node) {
        Math math = switch (node.type()) {
            case "Add" -> Math.ADD;
            case "Multiply" -> Math.MULTIPLY;
            case "ReLU" -> Math.RELU;
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
        return new EltwiseKernel(math, modes, planes, channels, planeSize);
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
    public String execType() {
        return "eltwise_" + math.name().toLowerCase(java.util.Locale.ROOT) + "_vector" + S.vectorBitSize() + "_FP32";
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        float[] z = outputs[0].floats();
        float[] x = inputs[0].floats();
        if (math == Math.RELU) {
            relu(x, z, planes * planeSize);
            return;
        }
        float[] y = inputs[1].floats();
        for (int p = 0; p < planes; p++) {
            int off = p * planeSize;
            int c = p % channels;
            int xo = offset(modes[0], off, c);
            int yo = offset(modes[1], off, c);
            binary(x, xo, modes[0] == Mode.FULL, y, yo, modes[1] == Mode.FULL, z, off, planeSize);
        }
    }

    private static int offset(Mode mode, int planeOffset, int channel) {
        return switch (mode) {
            case FULL -> planeOffset;
            case SCALAR -> 0;
            case PER_CHANNEL -> channel;
        };
    }

    private static void relu(float[] x, float[] z, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).max(0f).intoArray(z, i);
        }
        for (; i < n; i++) {
            z[i] = java.lang.Math.max(x[i], 0f);
        }
    }

    /** {@code z[zo+i] = x ∘ y} for i in [0, n); an operand that is not a row repeats its one value. */
    private void binary(float[] x, int xo, boolean xRow, float[] y, int yo, boolean yRow, float[] z, int zo, int n) {
        FloatVector vx = xRow ? null : FloatVector.broadcast(S, x[xo]);
        FloatVector vy = yRow ? null : FloatVector.broadcast(S, y[yo]);
        boolean add = math == Math.ADD;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector a = xRow ? FloatVector.fromArray(S, x, xo + i) : vx;
            FloatVector b = yRow ? FloatVector.fromArray(S, y, yo + i) : vy;
            (add ? a.add(b) : a.mul(b)).intoArray(z, zo + i);
        }
        for (; i < n; i++) {
            float a = x[xRow ? xo + i : xo];
            float b = y[yRow ? yo + i : yo];
            z[zo + i] = add ? a + b : a * b;
        }
    }
}
