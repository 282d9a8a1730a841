package dev.infero.core.ops.nn;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * Transposed convolution (ConvolutionBackpropData, GroupConvolutionBackpropData): every input element scatters its
 * kernel-weighted contribution to output position {@code i * stride + k * dilation - pad_begin} per spatial axis.
 * The uncropped output has {@code full = stride * (in - 1) + dilation * (kernel - 1) + 1} positions; per axis:
 * <ul>
 *   <li>explicit pads: {@code full - pads_begin - pads_end + output_padding};</li>
 *   <li>valid: {@code full + output_padding}, no cropping;</li>
 *   <li>same_upper / same_lower: {@code in * stride}, the excess {@code full + output_padding - out} cropped half at
 *       each side, the odd one at the end (upper) or the start (lower);</li>
 *   <li>with the optional output_shape input (spatial sizes), that size, cropped as same_upper/same_lower say, or from
 *       {@code pads_begin} for explicit padding. An output larger than the uncropped one has a negative excess: the
 *       halves round toward minus infinity (as ONNX's reference does), and positions nothing reaches are 0.</li>
 * </ul>
 * Inputs: data [N, C_in, spatial...], weights (layout per subclass), optional output_shape. The two ops differ only
 * in the weights layout, which {@link WeightsLayout} describes.
 */
public abstract class BackpropConvolutionBase extends Op {
    private static final WindowAttributes<BackpropConvolutionBase> WINDOW =
            new WindowAttributes<>(BackpropConvolutionBase::window);
    private static final Attribute<BackpropConvolutionBase, long[]> OUTPUT_PADDING = Attribute.integers(
            "output_padding", BackpropConvolutionBase::outputPadding);

    private final WindowGeometry window;
    private final long[] outputPadding;
    private final WeightsLayout layout;

    BackpropConvolutionBase(WindowGeometry window, long[] outputPadding, WeightsLayout layout) {
        if (outputPadding.length != window.rank()) {
            throw new IllegalArgumentException("output_padding " + Arrays.toString(outputPadding) + " must have "
                    + window.rank() + " values");
        }
        this.window = window;
        this.outputPadding = outputPadding.clone();
        this.layout = layout;
    }

    /**
     * The declaration of a transposed convolution-1: the window attributes of a convolution and
     * {@code output_padding} (zeros when left out), read into the op {@code create} builds.
     */
    static <O extends BackpropConvolutionBase> OpSpec<O> spec(Class<O> opClass, String type,
                                                              BiFunction<WindowGeometry, long[], O> create) {
        return OpSpec.of(opClass, type, "opset1", a -> {
            WindowGeometry window = WINDOW.read(a, true);
            return create.apply(window,
                    a.has(OUTPUT_PADDING.name()) ? OUTPUT_PADDING.read(a) : new long[window.rank()]);
        }, WINDOW.strides, WINDOW.dilations, WINDOW.padsBegin, WINDOW.padsEnd, WINDOW.autoPad, OUTPUT_PADDING);
    }

    public WindowGeometry window() {
        return window;
    }

    /** Extra size added at the end of each spatial dimension ({@code output_padding}). */
    public long[] outputPadding() {
        return outputPadding.clone();
    }

    /** The number of groups given weights of this shape (1 for the plain op). */
    public int groups(int[] weights) {
        return layout.groups(weights);
    }

    /** The index of the first kernel dimension in the weights shape (input, then output channels per group before it). */
    public int kernelStart() {
        return layout.kernelStart();
    }

    /**
     * Where spatial axis {@code i}'s kernel taps start in the output: output position {@code in_pos · stride + tap ·
     * dilation - padBegin}, for an input of {@code in} positions, a kernel of {@code kernel} taps and the optional
     * output_shape input's values ({@code null} without it), as {@link #evaluate} places them.
     */
    public int padBegin(int i, int in, int kernel, long[] outputShape) {
        return geometry(i, in, kernel, outputShape)[0];
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape weights = ctx.inputShape(1);
        int spatial = window.rank();
        ConvolutionBase.checkDataAndWeights(ctx, spatial, layout.kernelStart());
        long[] outputShape = null;
        if (ctx.hasInput(2)) {
            Tensor os = ctx.inputValue(2);
            if (os == null) {
                ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(spatial + 2));
                return;
            }
            outputShape = os.toLongArray();
            if (outputShape.length != spatial) {
                throw ctx.error("output_shape " + Arrays.toString(outputShape) + " must have " + spatial + " values");
            }
        }
        if (!data.hasRank() || !weights.isStatic()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(spatial + 2));
            return;
        }
        int[] w = weights.toArray();
        int groups = layout.groups(w);
        ConvolutionBase.checkChannels(ctx, w, groups * w[layout.kernelStart() - 2]);
        int[] out = new int[spatial + 2];
        out[0] = data.dim(0);
        out[1] = groups * w[layout.kernelStart() - 1];
        for (int i = 0; i < spatial; i++) {
            int in = data.dim(2 + i);
            out[2 + i] = in == PartialShape.DYNAMIC ? PartialShape.DYNAMIC
                    : geometry(i, in, w[layout.kernelStart() + i], outputShape)[1];
            if (out[2 + i] < 0) {
                throw ctx.error("the padding crops spatial dimension " + i + " to a negative size");
            }
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    /** {@code {pad_begin, output size}} of spatial axis {@code i}. */
    private int[] geometry(int i, int in, int kernel, long[] outputShape) {
        long full = window.strides()[i] * (in - 1) + window.dilations()[i] * (kernel - 1) + 1;
        long padded = full + outputPadding[i];
        long out;
        if (outputShape != null) {
            out = outputShape[i];
        } else {
            out = switch (window.autoPad()) {
                case SAME_UPPER, SAME_LOWER -> in * window.strides()[i];
                case VALID -> padded;
                case EXPLICIT -> padded - window.padsBegin()[i] - window.padsEnd()[i];
            };
        }
        long excess = padded - out;
        long begin = switch (window.autoPad()) {
            case SAME_UPPER -> Math.floorDiv(excess, 2);
            case SAME_LOWER -> excess - Math.floorDiv(excess, 2);
            case VALID -> 0;
            case EXPLICIT -> window.padsBegin()[i];
        };
        return new int[] {(int) begin, (int) out};
    }

    @Override
    public long flops(Node node) {
        return ConvolutionBase.multiplyAdds(node.input(0), node.input(1), layout.kernelStart()) * 2;
    }

    /** Scatters every input element through the kernel, accumulating in double. */
    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor wt = inputs[1];
        Tensor y = outputs[0];
        int[] xs = x.shape();
        int[] ws = wt.shape();
        int[] ys = y.shape();
        int spatial = window.rank();
        long[] outputShape = inputs.length > 2 && inputs[2] != null ? inputs[2].toLongArray() : null;
        int[] padBegin = new int[spatial];
        for (int i = 0; i < spatial; i++) {
            padBegin[i] = geometry(i, xs[2 + i], ws[layout.kernelStart() + i], outputShape)[0];
        }
        int[] inSpatial = Arrays.copyOfRange(xs, 2, xs.length);
        int[] kernel = Arrays.copyOfRange(ws, layout.kernelStart(), ws.length);
        int[] outSpatial = Arrays.copyOfRange(ys, 2, ys.length);
        int[] table = targets(inSpatial, kernel, outSpatial, padBegin);
        int inPlane = Shapes.size(inSpatial);
        int taps = Shapes.size(kernel);
        int outPlane = Shapes.size(outSpatial);
        int groups = layout.groups(ws);
        int cinG = ws[layout.kernelStart() - 2];
        int coutG = ws[layout.kernelStart() - 1];
        float[] in = x.toFloatArray();
        float[] w = wt.toFloatArray();
        double[] acc = new double[y.size()];
        for (int n = 0; n < xs[0]; n++) {
            for (int g = 0; g < groups; g++) {
                for (int ic = 0; ic < cinG; ic++) {
                    int inBase = (n * xs[1] + g * cinG + ic) * inPlane;
                    for (int oc = 0; oc < coutG; oc++) {
                        int wBase = ((g * cinG + ic) * coutG + oc) * taps;
                        int outBase = (n * ys[1] + g * coutG + oc) * outPlane;
                        for (int p = 0; p < inPlane; p++) {
                            double v = in[inBase + p];
                            for (int t = 0; t < taps; t++) {
                                int o = table[p * taps + t];
                                if (o >= 0) {
                                    acc[outBase + o] += v * w[wBase + t];
                                }
                            }
                        }
                    }
                }
            }
        }
        if (y.type() == ElementType.F32) {
            float[] z = y.floats();
            for (int i = 0; i < acc.length; i++) {
                z[i] = (float) acc[i];
            }
        } else {
            for (int i = 0; i < acc.length; i++) {
                y.setDouble(i, acc[i]);
            }
        }
    }

    /** For each (input position, kernel tap): the flat output position it reaches, or -1 when cropped. */
    private int[] targets(int[] in, int[] kernel, int[] out, int[] padBegin) {
        int inPlane = Shapes.size(in);
        int taps = Shapes.size(kernel);
        int[] table = new int[inPlane * taps];
        int[] inStrides = Shapes.strides(in);
        int[] kStrides = Shapes.strides(kernel);
        int[] outStrides = Shapes.strides(out);
        for (int p = 0; p < inPlane; p++) {
            for (int t = 0; t < taps; t++) {
                int o = 0;
                for (int d = 0; d < in.length && o >= 0; d++) {
                    long pos = (long) (p / inStrides[d] % in[d]) * window.strides()[d]
                            + (long) (t / kStrides[d] % kernel[d]) * window.dilations()[d] - padBegin[d];
                    o = pos < 0 || pos >= out[d] ? -1 : o + (int) pos * outStrides[d];
                }
                table[p * taps + t] = o;
            }
        }
        return table;
    }
}
