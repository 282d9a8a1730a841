package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.NchwcResize;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 nearest-neighbour Interpolate over the spatial axes of static NCHW data (the upsampling of FPNs and detector
 * heads) as a planned copy. Which input pixel each output pixel takes depends on the coordinate transformation and
 * rounding modes; rather than restating those rules, the kernel asks the op itself once, at compile time: it
 * evaluates the reference on an input whose every plane holds its own pixel indices, so the output holds the source
 * index of each output pixel. At run time each output row is a gather from one input row, and a row reading the same
 * input row as the row before it (every other row at scale 2) is a copy of that row. Large resizes are split across the
 * worker pool by output rows.
 */
public final class NearestResizeStep extends PartedStep<NearestResizeStep.Scratch> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of a vector; a blocked pixel (16 floats) is a whole number of them (16, 8 or 4). */
    private static final int L = S.length();
    private final int planes;
    private final int inPlane;
    private final int outW;
    private final int outH;
    /** Per output row, the input row's offset in its plane; per output column, the input column. */
    private final int[] rowSource;
    private final int[] columnSource;
    /**
     * {@code s} when output column {@code c} takes input column {@code c / s} for every column (an integer scale with
     * the usual half-pixel or asymmetric floor rounding: FPN upsampling by 2), else 0: then each input value is
     * written {@code s} times by straight-line code instead of a gather through {@link #columnSource}.
     */
    private final int columnRepeat;
    /**
     * Floats per pixel: 1 for NCHW planes, 16 for the blocks of a channel-blocked tensor ({@code cpu.blocked}, a
     * plane is then one block's [H, W, 16]: each pixel's lanes move together).
     */
    private final int lanes;

    private NearestResizeStep(int planes, int inPlane, int outH, int outW, int[] rowSource, int[] columnSource,
                              int lanes) {
        this.lanes = lanes;
        this.planes = planes;
        this.inPlane = inPlane;
        this.outH = outH;
        this.outW = outW;
        this.rowSource = rowSource;
        this.columnSource = columnSource;
        this.columnRepeat = repeat(columnSource);
    }

    /** The straight-line column repeat {@code s} (described at the field), or 0 when the columns are gathered. */
    int columnRepeat() {
        return columnRepeat;
    }

    /** {@code s} when {@code source[c] == c / s} for every {@code c} and the length is a multiple of s, else 0. */
    private static int repeat(int[] source) {
        int n = source.length;
        for (int s = 1; s <= 4; s++) {
            if (n % s != 0) {
                continue;
            }
            boolean all = true;
            for (int c = 0; c < n && all; c++) {
                all = source[c] == c / s;
            }
            if (all) {
                return s;
            }
        }
        return 0;
    }

    /** The kernel for {@code node}, or {@code null} when it is not a nearest spatial f32 resize of static NCHW data. */
    public static NearestResizeStep of(Node node) {
        if (node.op() instanceof NchwcResize blocked) {
            return of(blocked.original(), blocked.in(), blocked.out(), blocked.constants(), Blocked.BLOCK);
        }
        SpatialResize resize = SpatialResize.of(node, "nearest");
        if (resize == null) {
            return null;
        }
        return of(resize.op(), resize.in(), resize.out(), resize.inputs(), 1);
    }

    /**
     * The step resizing NCHW dimensions {@code is} to {@code os} as {@code op} does with the known {@code inputs}
     * (index 0 free), on pixels of {@code lanes} floats (16: the blocked layout), or {@code null}.
     */
    private static NearestResizeStep of(Interpolate op, int[] is, int[] os, Tensor[] inputs, int lanes) {
        if (!op.attributes().mode().equals("nearest")) {
            return null;
        }
        long inPlane = (long) is[2] * is[3];
        // Indices must be exact in float: below 2^24.
        if (inPlane >= 1 << 24) {
            return null;
        }
        int planes = is[0] * is[1];
        int outPlane = os[2] * os[3];
        // One plane of indices, repeated: the op resizes every plane alike.
        Tensor probe = Tensor.allocate(ElementType.F32, is);
        for (int i = 0; i < probe.size(); i++) {
            probe.floats()[i] = i % (int) inPlane;
        }
        inputs[0] = probe;
        Tensor result = Tensor.allocate(ElementType.F32, os);
        op.evaluate(inputs, new Tensor[] {result});
        float[] r = result.floats();
        int[] rowSource = new int[os[2]];
        int[] columnSource = new int[os[3]];
        for (int y = 0; y < os[2]; y++) {
            rowSource[y] = (int) r[y * os[3]] / is[3] * is[3];
        }
        for (int x = 0; x < os[3]; x++) {
            columnSource[x] = (int) r[x] % is[3];
        }
        // Separable and the same in every plane, or not this kernel.
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < os[2]; y++) {
                for (int x = 0; x < os[3]; x++) {
                    if (r[p * outPlane + y * os[3] + x] != rowSource[y] + columnSource[x]) {
                        return null;
                    }
                }
            }
        }
        if (lanes == 1) {
            return new NearestResizeStep(planes, (int) inPlane, os[2], os[3], rowSource, columnSource, 1);
        }
        // Blocked: planes are the blocks of each image, each pixel 16 floats.
        for (int y = 0; y < os[2]; y++) {
            rowSource[y] *= lanes;
        }
        int blocks = is[0] * Blocked.blocks(is[1]);
        return new NearestResizeStep(blocks, (int) inPlane * lanes, os[2], os[3], rowSource, columnSource, lanes);
    }

    @Override
    public ExecType execType() {
        return ExecType.of(lanes == 1 ? "nearest_resize" : "blocked_nearest_resize", "FP32");
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch();
    }

    @Override
    protected long estimatedNanos() {
        // Memory-bound: the output written and about as much read.
        return WorkerPool.estimatedNanos(0, 8L * planes * outH * outW * lanes);
    }

    @Override
    protected long maxParts() {
        return (long) planes * outH;
    }

    /** One request's state: the current call's arrays. */
    public final class Scratch extends PartedStep.FloatParts {
        Scratch() {
            super(false);
        }

        /** Output rows (over all planes) [t·rows/parts, (t+1)·rows/parts). */
        @Override
        protected void part(int t, int parts, int slot) {
            long rows = (long) planes * outH;
            int first = (int) (rows * t / parts);
            int end = (int) (rows * (t + 1) / parts);
            int rowLength = outW * lanes;
            for (int r = first; r < end; r++) {
                int p = r / outH;
                int y = r - p * outH;
                int o = r * rowLength;
                // A row reading the same input row as the row before it copies that row, when this part wrote it.
                if (y > 0 && r > first && rowSource[y] == rowSource[y - 1]) {
                    System.arraycopy(z, o - rowLength, z, o, rowLength);
                    continue;
                }
                int row = p * inPlane + rowSource[y];
                if (lanes != 1) {
                    pixels(x, row, z, o);
                    continue;
                }
                switch (columnRepeat) {
                    case 1 -> System.arraycopy(x, row, z, o, outW);
                    case 2 -> {
                        for (int i = 0, n = outW / 2; i < n; i++) {
                            float v = x[row + i];
                            z[o + 2 * i] = v;
                            z[o + 2 * i + 1] = v;
                        }
                    }
                    default -> {
                        for (int c = 0; c < outW; c++) {
                            z[o + c] = x[row + columnSource[c]];
                        }
                    }
                }
            }
        }
    }

    /**
     * One output row of blocked pixels (16 floats each) from the input row at {@code row}: whole vectors, each input
     * pixel loaded once and stored {@link #columnRepeat} times where the columns repeat (upsampling by 2).
     */
    private void pixels(float[] x, int row, float[] z, int o) {
        if (columnRepeat == 1) {
            System.arraycopy(x, row, z, o, outW * lanes);
            return;
        }
        if (columnRepeat == 2) {
            for (int i = 0, n = outW / 2; i < n; i++) {
                int from = row + i * lanes;
                int to = o + 2 * i * lanes;
                for (int l = 0; l < lanes; l += L) {
                    FloatVector v = FloatVector.fromArray(S, x, from + l);
                    v.intoArray(z, to + l);
                    v.intoArray(z, to + lanes + l);
                }
            }
            return;
        }
        for (int c = 0; c < outW; c++) {
            int from = row + columnSource[c] * lanes;
            int to = o + c * lanes;
            for (int l = 0; l < lanes; l += L) {
                FloatVector.fromArray(S, x, from + l).intoArray(z, to + l);
            }
        }
    }
}
