package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 linear (bilinear) Interpolate over H and W of static NCHW data (the upsampling of FPN/PAN necks and segmentation
 * heads), antialias off. The op itself gives, at compile time, each output row's and column's two source indices and
 * weights ({@link Interpolate#axisTaps}, whatever the coordinate transformation mode), held here as arrays. At run time
 * each source row an output row needs is first resampled along W into a row buffer (scalar: a two-tap gather), kept
 * while the next output rows read it too; each output row is then the weighted sum of its two buffered rows (Vector
 * API). The work is split across the worker pool by output rows over all planes.
 */
public final class LinearResizeStep extends PartedStep<LinearResizeStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final int planes;
    private final int inH;
    private final int inW;
    private final int outH;
    private final int outW;
    /** Per output row: the two source rows and their weights. */
    private final int[] row0;
    private final int[] row1;
    private final float[] rowWeight0;
    private final float[] rowWeight1;
    /** Per output column: the two source columns and their weights. */
    private final int[] column0;
    private final int[] column1;
    private final float[] columnWeight0;
    private final float[] columnWeight1;

    private LinearResizeStep(int planes, Interpolate.AxisTaps rows, Interpolate.AxisTaps columns) {
        this.planes = planes;
        this.inH = rows.inSize();
        this.inW = columns.inSize();
        this.outH = rows.outSize();
        this.outW = columns.outSize();
        this.row0 = new int[outH];
        this.row1 = new int[outH];
        this.rowWeight0 = new float[outH];
        this.rowWeight1 = new float[outH];
        this.column0 = new int[outW];
        this.column1 = new int[outW];
        this.columnWeight0 = new float[outW];
        this.columnWeight1 = new float[outW];
        split(rows, row0, row1, rowWeight0, rowWeight1);
        split(columns, column0, column1, columnWeight0, columnWeight1);
    }

    private static void split(Interpolate.AxisTaps a, int[] i0, int[] i1, float[] w0, float[] w1) {
        for (int o = 0; o < a.outSize(); o++) {
            i0[o] = a.index()[2 * o];
            i1[o] = a.index()[2 * o + 1];
            w0[o] = (float) a.weight()[2 * o];
            w1[o] = (float) a.weight()[2 * o + 1];
            // A point on a source point (weights 0 and 1) reads that point alone, as tap 0.
            if (w0[o] == 0) {
                i0[o] = i1[o];
                w0[o] = w1[o];
                w1[o] = 0;
            }
        }
    }

    /**
     * The kernel for {@code node}, or {@code null} when it is not a linear f32 resize of static NCHW data over H and W
     * only, without antialiasing.
     */
    public static LinearResizeStep of(Node node) {
        SpatialResize r = SpatialResize.of(node, "linear_onnx");
        if (r == null || r.op().attributes().antialias()) {
            return null;
        }
        int[] is = r.in();
        int[] os = r.out();
        if ((long) os[0] * os[1] * os[2] * os[3] >= Integer.MAX_VALUE) {
            return null;
        }
        Interpolate.AxisTaps[] taps = r.op().axisTaps(is, r.inputs());
        if (taps == null || !identity(taps[0]) || !identity(taps[1]) || taps[2].taps() != 2 || taps[3].taps() != 2
                || taps[2].outSize() != os[2] || taps[3].outSize() != os[3]) {
            return null;
        }
        return new LinearResizeStep(is[0] * is[1], taps[2], taps[3]);
    }

    /** Whether the axis maps every point to itself alone. */
    private static boolean identity(Interpolate.AxisTaps a) {
        if (a.outSize() != a.inSize()) {
            return false;
        }
        for (int o = 0; o < a.outSize(); o++) {
            for (int t = 0; t < a.taps(); t++) {
                double w = a.weight()[o * a.taps() + t];
                if (w != 0 && (w != 1 || a.index()[o * a.taps() + t] != o)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public ExecType execType() {
        return ExecType.of("linear_resize", "FP32");
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    @Override
    protected long estimatedNanos() {
        long outputs = (long) planes * outH * outW;
        return WorkerPool.estimatedNanos(4 * outputs, 4 * outputs + 4L * planes * inH * inW);
    }

    @Override
    protected long maxParts() {
        return (long) planes * outH;
    }

    /** One request's state: the current call's arrays, and per thread two row buffers. */
    public final class Scratch extends PartedStep.FloatParts {
        private final float[][] rows;

        Scratch(int threads) {
            super(false);
            rows = new float[2 * Math.max(1, threads)][outW];
        }

        /** Output rows (over all planes) [t·rows/parts, (t+1)·rows/parts), with buffer pair {@code b}. */
        @Override
        protected void part(int t, int parts, int b) {
            long all = (long) planes * outH;
            int first = (int) (all * t / parts);
            int end = (int) (all * (t + 1) / parts);
            float[] bufferA = rows[2 * b];
            float[] bufferB = rows[2 * b + 1];
            // The source rows (plane · inH + row) the buffers hold now, -1 for none.
            int heldA = -1;
            int heldB = -1;
            for (int r = first; r < end; r++) {
                int p = r / outH;
                int y = r - p * outH;
                int want0 = p * inH + row0[y];
                int want1 = p * inH + row1[y];
                // Keep a buffer that already holds a wanted row; refill the other.
                if (heldA != want0 && heldB == want0) {
                    float[] f = bufferA;
                    bufferA = bufferB;
                    bufferB = f;
                    heldB = heldA;
                    heldA = want0;
                } else if (heldA != want0) {
                    if (heldA == want1 && heldB != want1) {
                        float[] f = bufferA;
                        bufferA = bufferB;
                        bufferB = f;
                        heldB = heldA;
                    }
                    horizontal(want0, bufferA);
                    heldA = want0;
                }
                float w0 = rowWeight0[y];
                float w1 = rowWeight1[y];
                int o = r * outW;
                if (w1 == 0 || want1 == want0) {
                    vertical(bufferA, w0 + (want1 == want0 ? w1 : 0), o);
                    continue;
                }
                if (heldB != want1) {
                    horizontal(want1, bufferB);
                    heldB = want1;
                }
                vertical(bufferA, w0, bufferB, w1, o);
            }
        }

        /** Source row {@code source} (plane · inH + row) resampled along W into {@code buffer}. */
        private void horizontal(int source, float[] buffer) {
            int from = source * inW;
            for (int c = 0; c < outW; c++) {
                buffer[c] = columnWeight0[c] * x[from + column0[c]] + columnWeight1[c] * x[from + column1[c]];
            }
        }

        private void vertical(float[] a, float wa, int o) {
            int c = 0;
            if (wa == 1) {
                System.arraycopy(a, 0, z, o, outW);
                return;
            }
            FloatVector va = FloatVector.broadcast(S, wa);
            for (int bound = S.loopBound(outW); c < bound; c += S.length()) {
                FloatVector.fromArray(S, a, c).mul(va).intoArray(z, o + c);
            }
            for (; c < outW; c++) {
                z[o + c] = wa * a[c];
            }
        }

        private void vertical(float[] a, float wa, float[] b, float wb, int o) {
            int c = 0;
            FloatVector va = FloatVector.broadcast(S, wa);
            FloatVector vb = FloatVector.broadcast(S, wb);
            for (int bound = S.loopBound(outW); c < bound; c += S.length()) {
                FloatVector.fromArray(S, b, c).mul(vb).add(FloatVector.fromArray(S, a, c).mul(va))
                        .intoArray(z, o + c);
            }
            for (; c < outW; c++) {
                z[o + c] = wa * a[c] + wb * b[c];
            }
        }
    }
}
