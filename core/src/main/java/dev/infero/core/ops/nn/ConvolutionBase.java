package dev.infero.core.ops.nn;

import dev.infero.core.graph.Node;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Convolution and GroupConvolution: data [N, C, spatial...] and weights, without bias (OpenVINO adds the bias as a
 * separate Add). The two differ only in how the weights are laid out, which {@link WeightsLayout}
 * describes.
 */
public abstract class ConvolutionBase extends Op {
    static final WindowAttributes<ConvolutionBase> WINDOW = new WindowAttributes<>(ConvolutionBase::window);

    protected final WindowGeometry window;
    private final WeightsLayout layout;

    ConvolutionBase(WindowGeometry window, WeightsLayout layout) {
        this.window = window;
        this.layout = layout;
    }

    /**
     * The declaration of a convolution-1 op: {@code strides}, {@code dilations}, {@code pads_begin}, {@code pads_end},
     * {@code auto_pad}, read into the op {@code create} builds over the window.
     */
    static <O extends ConvolutionBase> OpSpec<O> spec(Class<O> opClass, String type,
                                                      Function<WindowGeometry, O> create) {
        return OpSpec.of(opClass, type, "opset1", a -> create.apply(WINDOW.read(a, true)), WINDOW.strides,
                WINDOW.dilations, WINDOW.padsBegin, WINDOW.padsEnd, WINDOW.autoPad);
    }

    public WindowGeometry window() {
        return window;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape weights = ctx.inputShape(1);
        int spatial = window.rank();
        checkDataAndWeights(ctx, spatial, layout.kernelStart());
        if (!data.hasRank() || !weights.isStatic()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(spatial + 2));
            return;
        }
        int[] w = weights.toArray();
        int groups = layout.groups(w);
        int cout = outChannels(w);
        checkChannels(ctx, w, groups * w[layout.kernelStart() - 1]);
        int[] out = new int[spatial + 2];
        out[0] = data.dim(0);
        out[1] = cout;
        for (int i = 0; i < spatial; i++) {
            int in = data.dim(2 + i);
            out[2 + i] = in == PartialShape.DYNAMIC ? PartialShape.DYNAMIC
                    : window.outputSize(i, in, w[layout.kernelStart() + i]);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    /**
     * The input rule of every (transposed) convolution: data and weights of one type, data {@code [N, C, spatial...]}
     * and weights of {@code kernelStart + spatial} dimensions, when their ranks are known.
     */
    static void checkDataAndWeights(InferContext ctx, int spatial, int kernelStart) {
        PartialShape data = ctx.inputShape(0);
        PartialShape weights = ctx.inputShape(1);
        if (ctx.inputType(0) != ctx.inputType(1)) {
            throw ctx.error("data and weights types differ: " + ctx.inputType(0) + " and " + ctx.inputType(1));
        }
        if (data.hasRank() && data.rank() != spatial + 2) {
            throw ctx.error("data must have " + (spatial + 2) + " dimensions for " + spatial + " spatial ones, got " + data);
        }
        if (weights.hasRank() && weights.rank() != spatial + kernelStart) {
            throw ctx.error("weights must have " + (spatial + kernelStart) + " dimensions, got " + weights);
        }
    }

    /**
     * The channel rule of every (transposed) convolution: data (input 0) has the {@code channels} the weights
     * {@code w} expect (groups × input channels per group), when its channel count is known.
     */
    static void checkChannels(InferContext ctx, int[] w, int channels) {
        int dataChannels = ctx.inputShape(0).dim(1);
        if (dataChannels != PartialShape.DYNAMIC && dataChannels != channels) {
            throw ctx.error("data has " + dataChannels + " channels but the weights " + Arrays.toString(w)
                    + " expect " + channels);
        }
    }

    private int outChannels(int[] w) {
        return layout.kernelStart() == 2 ? w[0] : w[0] * w[1];
    }

    @Override
    public long flops(Node node) {
        return multiplyAdds(node.output(0), node.input(1), layout.kernelStart()) * 2;
    }

    /**
     * Multiply-adds of a (transposed) convolution: each element of {@code perElement} (the output of a convolution,
     * the input of a transposed one) meets every weight of one filter, {@code C_in/G × kernel}. 0 when not static.
     */
    static long multiplyAdds(dev.infero.core.graph.Value perElement, dev.infero.core.graph.Value weights,
                             int kernelStart) {
        if (!perElement.shape().isStatic() || !weights.shape().isStatic()) {
            return 0;
        }
        int[] w = weights.shape().toArray();
        long filter = 1;
        for (int i = kernelStart - 1; i < w.length; i++) {
            filter *= w[i];
        }
        long elements = 1;
        for (int d : perElement.shape().toArray()) {
            elements *= d;
        }
        return elements * filter;
    }

    /**
     * Direct convolution over a tap table, accumulated in double for a trustworthy reference; integer types
     * accumulate in long and wrap to the output type like C, so that quantized convolutions are exact.
     */
    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor wt = inputs[1];
        Tensor y = outputs[0];
        int[] xs = x.shape();
        int[] ws = wt.shape();
        int[] ys = y.shape();
        int spatial = window.rank();
        int groups = layout.groups(ws);
        int cinG = ws[layout.kernelStart() - 1];
        int coutG = ys[1] / groups;
        int[] kernel = Arrays.copyOfRange(ws, layout.kernelStart(), ws.length);
        WindowTable table = new WindowTable(Arrays.copyOfRange(xs, 2, xs.length), kernel,
                Arrays.copyOfRange(ys, 2, ys.length), window);
        boolean exact = !y.type().isFloating();
        float[] in = exact ? null : x.toFloatArray();
        float[] w = exact ? null : wt.toFloatArray();
        long[] inExact = exact ? x.toLongArray() : null;
        long[] wExact = exact ? wt.toLongArray() : null;
        int inPlane = dev.infero.core.types.Shapes.product(xs, 2, 2 + spatial);
        int taps = table.taps;
        boolean f32 = y.type() == dev.infero.core.types.ElementType.F32;
        for (int n = 0; n < ys[0]; n++) {
            for (int oc = 0; oc < ys[1]; oc++) {
                int g = oc / coutG;
                int wBase = oc * cinG * taps;
                for (int o = 0; o < table.outputs; o++) {
                    double sum = 0;
                    long exactSum = 0;
                    for (int ic = 0; ic < cinG; ic++) {
                        int inBase = (n * xs[1] + g * cinG + ic) * inPlane;
                        int wRow = wBase + ic * taps;
                        int t0 = o * taps;
                        for (int t = 0; t < taps; t++) {
                            int idx = table.index[t0 + t];
                            if (idx < 0) {
                                continue;
                            }
                            if (exact) {
                                exactSum += inExact[inBase + idx] * wExact[wRow + t];
                            } else {
                                sum += in[inBase + idx] * w[wRow + t];
                            }
                        }
                    }
                    int at = (n * ys[1] + oc) * table.outputs + o;
                    if (f32) {
                        y.floats()[at] = (float) sum;
                    } else if (exact) {
                        y.setLong(at, exactSum);
                    } else {
                        y.setDouble(at, sum);
                    }
                }
            }
        }
    }
}
