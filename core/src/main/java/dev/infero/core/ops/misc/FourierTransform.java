package dev.infero.core.ops.misc;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The discrete Fourier transforms of OpenVINO: DFT-7 and IDFT-7 (complex to complex), RDFT-9 (real to one-sided
 * complex) and IRDFT-9 (one-sided complex to real). Complex tensors carry real and imaginary parts in a trailing
 * dimension of 2. Input 1 lists the transformed axes (of the signal, i.e. not counting that trailing dimension;
 * negative values count from the last signal axis); optional input 2 the signal size per axis (-1: keep), to which
 * the input is cut or zero-padded before the transform. The inverse transforms scale by 1 / (product of sizes).
 * RDFT outputs {@code size / 2 + 1} frequencies along its last axis; IRDFT reads that many (Hermitian symmetry gives
 * the rest) and outputs {@code signal_size} samples there, by default {@code 2 * (bins - 1)}.
 *
 * <p>The kernel is the plain O(n²) sum per axis: it is the numerical reference.
 */
public final class FourierTransform extends Op {
    /** Which of the four transforms. */
    public enum Kind {
        DFT("DFT", "opset7", true, true, false),
        IDFT("IDFT", "opset7", true, true, true),
        RDFT("RDFT", "opset9", false, true, false),
        IRDFT("IRDFT", "opset9", true, false, true);

        private final String type;
        private final String version;
        private final boolean complexInput;
        private final boolean complexOutput;
        private final boolean inverse;

        Kind(String type, String version, boolean complexInput, boolean complexOutput, boolean inverse) {
            this.type = type;
            this.version = version;
            this.complexInput = complexInput;
            this.complexOutput = complexOutput;
            this.inverse = inverse;
        }
    }

    private static final Map<Kind, OpSpec<FourierTransform>> SPECS = new EnumMap<>(Kind.class);

    static {
        for (Kind kind : Kind.values()) {
            SPECS.put(kind, OpSpec.of(FourierTransform.class, kind.type, kind.version,
                    a -> new FourierTransform(kind)));
        }
    }

    private final Kind kind;

    public FourierTransform(Kind kind) {
        this.kind = kind;
    }

    /** The declaration of one transform (no attributes: the kind is the type). */
    public static OpSpec<FourierTransform> spec(Kind kind) {
        return SPECS.get(kind);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public OpSpec<FourierTransform> spec() {
        return SPECS.get(kind);
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        if (!ctx.inputType(0).isFloating()) {
            throw ctx.error("data must be floating point, got " + ctx.inputType(0));
        }
        if (!data.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        int signalRank = kind.complexInput ? data.rank() - 1 : data.rank();
        if (signalRank < 1 || kind.complexInput && !data.isDynamic(signalRank) && data.dim(signalRank) != 2) {
            throw ctx.error("data " + data + " must be " + (kind.complexInput ? "complex ([..., 2])" : "real")
                    + " with at least one signal axis");
        }
        int outRank = kind.complexOutput ? signalRank + 1 : signalRank;
        Tensor axesValue = ctx.inputValue(1);
        Tensor sizesValue = ctx.hasInput(2) ? ctx.inputValue(2) : null;
        if (axesValue == null || ctx.hasInput(2) && sizesValue == null) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(outRank));
            return;
        }
        int[] axes = axes(ctx, axesValue, signalRank);
        long[] sizes = sizesValue == null ? null : sizesValue.toLongArray();
        if (sizes != null && sizes.length != axes.length) {
            throw ctx.error("signal_size has " + sizes.length + " values for " + axes.length + " axes");
        }
        int[] out = new int[outRank];
        for (int i = 0; i < signalRank; i++) {
            out[i] = data.dim(i);
        }
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            boolean last = i == axes.length - 1;
            if (sizes != null && sizes[i] != -1) {
                if (sizes[i] < 1) {
                    throw ctx.error("signal_size " + sizes[i] + " must be positive (or -1)");
                }
                out[a] = (int) sizes[i];
            } else if (kind == Kind.IRDFT && last && out[a] != PartialShape.DYNAMIC) {
                out[a] = 2 * (out[a] - 1);
            }
            if (kind == Kind.RDFT && last && out[a] != PartialShape.DYNAMIC) {
                out[a] = out[a] / 2 + 1;
            }
        }
        if (kind.complexOutput) {
            out[signalRank] = 2;
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    private static int[] axes(InferContext ctx, Tensor value, int signalRank) {
        long[] raw = value.toLongArray();
        int[] axes = new int[raw.length];
        boolean[] seen = new boolean[signalRank];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < -signalRank || raw[i] >= signalRank) {
                throw ctx.error("axis " + raw[i] + " is out of range for " + signalRank + " signal axes");
            }
            axes[i] = (int) (raw[i] < 0 ? raw[i] + signalRank : raw[i]);
            if (seen[axes[i]]) {
                throw ctx.error("axis " + raw[i] + " is repeated");
            }
            seen[axes[i]] = true;
        }
        if (axes.length == 0) {
            throw ctx.error("at least one axis is needed");
        }
        return axes;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor out = outputs[0];
        int signalRank = kind.complexInput ? data.rank() - 1 : data.rank();
        long[] rawAxes = inputs[1].toLongArray();
        int[] axes = new int[rawAxes.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = (int) (rawAxes[i] < 0 ? rawAxes[i] + signalRank : rawAxes[i]);
        }
        int[] outSignal = Arrays.copyOf(out.shape(), signalRank);
        // the complex working array: input sizes, except transformed axes take their (padded/cut) output sizes;
        // IRDFT's last axis takes the full spectrum length
        int[] work = Arrays.copyOf(data.shape(), signalRank);
        for (int a : axes) {
            work[a] = outSignal[a];
        }
        int lastAxis = axes[axes.length - 1];
        if (kind == Kind.RDFT) {
            work[lastAxis] = inputs.length > 2 && inputs[2] != null && inputs[2].getLong(axes.length - 1) != -1
                    ? (int) inputs[2].getLong(axes.length - 1) : data.dim(lastAxis);
        }
        double[] re = new double[Shapes.size(work)];
        double[] im = new double[re.length];
        load(data, work, re, im);
        for (int a : axes) {
            if (kind == Kind.IRDFT && a == lastAxis) {
                fillHermitian(work, a, data.dim(a), re, im);
            }
            transform(work, a, re, im);
        }
        store(work, outSignal, re, im, out);
    }

    /** Copies the input into the working arrays, cutting or zero-padding it to the working shape. */
    private void load(Tensor data, int[] work, double[] re, double[] im) {
        int rank = work.length;
        int[] inShape = Arrays.copyOf(data.shape(), rank);
        int[] inStrides = Shapes.strides(inShape);
        int[] idx = new int[rank];
        for (int w = 0; w < re.length; w++) {
            int in = 0;
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                inside &= idx[d] < inShape[d];
                in += idx[d] * inStrides[d];
            }
            if (inside) {
                if (kind.complexInput) {
                    re[w] = data.getDouble(2 * in);
                    im[w] = data.getDouble(2 * in + 1);
                } else {
                    re[w] = data.getDouble(in);
                }
            }
            for (int d = rank - 1; d >= 0 && ++idx[d] == work[d]; d--) {
                idx[d] = 0;
            }
        }
    }

    /**
     * Completes a one-sided spectrum along {@code axis}: bins past {@code n / 2} (or past the {@code given} ones)
     * are the conjugates of their mirror bins.
     */
    private static void fillHermitian(int[] work, int axis, int given, double[] re, double[] im) {
        int n = work[axis];
        int inner = Shapes.product(work, axis + 1, work.length);
        int outer = Shapes.product(work, 0, axis);
        int kept = Math.min(given, n / 2 + 1);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                for (int k = kept; k < n; k++) {
                    int mirror = n - k;
                    boolean known = mirror < kept;
                    re[base + k * inner] = known ? re[base + mirror * inner] : 0;
                    im[base + k * inner] = known ? -im[base + mirror * inner] : 0;
                }
            }
        }
    }

    /** The 1-D transform of every line along {@code axis}, in place; inverse transforms divide by the length. */
    private void transform(int[] work, int axis, double[] re, double[] im) {
        int n = work[axis];
        int inner = Shapes.product(work, axis + 1, work.length);
        int outer = Shapes.product(work, 0, axis);
        double sign = kind.inverse ? 1 : -1;
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int j = 0; j < n; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / n);
            sin[j] = sign * Math.sin(2 * Math.PI * j / n);
        }
        double scale = kind.inverse ? 1.0 / n : 1;
        double[] lineRe = new double[n];
        double[] lineIm = new double[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                for (int j = 0; j < n; j++) {
                    lineRe[j] = re[base + j * inner];
                    lineIm[j] = im[base + j * inner];
                }
                for (int k = 0; k < n; k++) {
                    double sr = 0;
                    double si = 0;
                    for (int j = 0; j < n; j++) {
                        int t = (int) ((long) k * j % n);
                        sr += lineRe[j] * cos[t] - lineIm[j] * sin[t];
                        si += lineRe[j] * sin[t] + lineIm[j] * cos[t];
                    }
                    re[base + k * inner] = sr * scale;
                    im[base + k * inner] = si * scale;
                }
            }
        }
    }

    /** Writes the leading output part of the working arrays (RDFT keeps the first bins of its last axis). */
    private void store(int[] work, int[] outSignal, double[] re, double[] im, Tensor out) {
        int[] workStrides = Shapes.strides(work);
        int rank = work.length;
        int[] idx = new int[rank];
        int count = Shapes.size(outSignal);
        for (int o = 0; o < count; o++) {
            int w = 0;
            for (int d = 0; d < rank; d++) {
                w += idx[d] * workStrides[d];
            }
            if (kind.complexOutput) {
                out.setDouble(2 * o, re[w]);
                out.setDouble(2 * o + 1, im[w]);
            } else {
                out.setDouble(o, re[w]);
            }
            for (int d = rank - 1; d >= 0 && ++idx[d] == outSignal[d]; d--) {
                idx[d] = 0;
            }
        }
    }
}
