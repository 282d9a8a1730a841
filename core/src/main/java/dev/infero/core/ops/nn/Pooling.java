package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/**
 * Max and average pooling over the spatial dimensions of [N, C, spatial...] data. Declares the attributes both write
 * ({@link #WINDOW}'s and {@code kernel}); each op lists them in its {@code SPEC}.
 */
public abstract class Pooling extends Op {
    static final WindowAttributes<Pooling> WINDOW = new WindowAttributes<>(Pooling::window);
    static final Attribute<Pooling, long[]> KERNEL = Attribute.integers("kernel", Pooling::kernel);

    protected final long[] kernel;
    protected final WindowGeometry window;

    protected Pooling(long[] kernel, WindowGeometry window) {
        if (kernel.length != window.rank()) {
            throw new IllegalArgumentException("kernel " + Arrays.toString(kernel) + " does not match the window rank");
        }
        this.kernel = kernel.clone();
        this.window = window;
    }

    public WindowGeometry window() {
        return window;
    }

    public long[] kernel() {
        return kernel.clone();
    }

    /** Output shape [N, C, pooled spatial...]. */
    protected PartialShape outputShape(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        int spatial = kernel.length;
        if (!in.hasRank()) {
            return PartialShape.dynamic(spatial + 2);
        }
        if (in.rank() != spatial + 2) {
            throw ctx.error("data must have " + (spatial + 2) + " dimensions for a " + spatial + "-D kernel, got " + in);
        }
        int[] out = new int[spatial + 2];
        out[0] = in.dim(0);
        out[1] = in.dim(1);
        for (int i = 0; i < spatial; i++) {
            int d = in.dim(2 + i);
            out[2 + i] = d == PartialShape.DYNAMIC ? PartialShape.DYNAMIC
                    : window.poolOutputSize(i, d, (int) kernel[i]);
        }
        return PartialShape.of(out);
    }

    /**
     * Runs {@link #pool} for every output element: over each [N, C] plane, each window's taps inside the input (the
     * window table of {@link WindowGeometry}), read as doubles.
     */
    @Override
    public final void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int[] out = outputs[0].shape();
        WindowTable table = new WindowTable(Arrays.copyOfRange(in, 2, in.length),
                Arrays.stream(kernel).mapToInt(k -> (int) k).toArray(), Arrays.copyOfRange(out, 2, out.length), window);
        int planes = in[0] * in[1];
        int inPlane = x.size() / Math.max(planes, 1);
        float[] xf = x.type() == ElementType.F32 ? x.floats() : null;
        double[] values = new double[table.taps];
        int[] positions = new int[table.taps];
        int span = positionSpan(in);
        for (int p = 0; p < planes; p++) {
            int base = p * inPlane;
            for (int o = 0; o < table.outputs; o++) {
                int n = 0;
                for (int t = 0; t < table.taps; t++) {
                    int idx = table.index[o * table.taps + t];
                    if (idx >= 0) {
                        positions[n] = (base + idx) % span;
                        values[n++] = xf != null ? xf[base + idx] : x.getDouble(base + idx);
                    }
                }
                pool(values, positions, n, table.withinPadding[o], outputs, p * table.outputs + o);
            }
        }
    }

    /**
     * The positions handed to {@link #pool} are flat input positions modulo this span: the whole input by default.
     */
    protected int positionSpan(int[] inputShape) {
        return Math.max(1, Arrays.stream(inputShape).reduce(1, (a, b) -> a * b));
    }

    /**
     * Writes output element {@code at} (and, with indices, its index) from the {@code n} input values a window
     * covers, with their flat input positions; {@code withinPadding} counts the window's positions inside the padded
     * input (ceil rounding can add positions beyond it).
     */
    protected abstract void pool(double[] values, int[] positions, int n, int withinPadding, Tensor[] outputs, int at);
}
