package dev.infero.core.ops.normalization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.reduce.ReductionAxes;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.Shapes;

/**
 * LRN-1 (local response normalization):
 * {@code output = data / (bias + (alpha / size^len(axes)) * sqr_sum) ^ beta}, where sqr_sum sums the squares over a
 * box of side {@code size} around the element in the axes of input 1, clipped at the borders. Along each axis the
 * box spans {@code [i - (size - 1) / 2, i + size / 2]} (ONNX's window; for odd sizes, as in the OpenVINO spec).
 */
public final class LRN extends Op {
    private static final Attribute<LRN, Double> ALPHA = Attribute.number("alpha", LRN::alpha);
    private static final Attribute<LRN, Double> BETA = Attribute.number("beta", LRN::beta);
    private static final Attribute<LRN, Double> BIAS = Attribute.number("bias", LRN::bias);
    private static final Attribute<LRN, Long> SIZE = Attribute.integer("size", LRN::size);
    public static final OpSpec<LRN> SPEC = OpSpec.of(LRN.class, "LRN", "opset1",
            a -> new LRN(ALPHA.read(a), BETA.read(a), BIAS.read(a), SIZE.read(a)), ALPHA, BETA, BIAS, SIZE);

    private final double alpha;
    private final double beta;
    private final double bias;
    private final long size;

    public LRN(double alpha, double beta, double bias, long size) {
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
        this.size = size;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    public double bias() {
        return bias;
    }

    /** Side of the summation box along each normalized axis. */
    public long size() {
        return size;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.requireFloating(0, "data");
        if (size < 1) {
            throw ctx.error("size must be positive, got " + size);
        }
        ReductionAxes.checkKnown(ctx, 1);
        ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        int[] shape = in.shape();
        int n = in.size();
        double[] sums = new double[n];
        for (int i = 0; i < n; i++) {
            double v = in.getDouble(i);
            sums[i] = v * v;
        }
        boolean[] axes = ReductionAxes.mask(inputs[1], shape.length);
        int boxDims = 0;
        for (int a = 0; a < shape.length; a++) {
            if (axes[a]) {
                // A box sum is separable: window sums along one axis after the other.
                sums = windowSums(sums, shape, a);
                boxDims++;
            }
        }
        double scale = alpha / Math.pow(size, boxDims);
        Tensor out = outputs[0];
        for (int i = 0; i < n; i++) {
            out.setDouble(i, in.getDouble(i) / Math.pow(bias + scale * sums[i], beta));
        }
    }

    private double[] windowSums(double[] x, int[] shape, int axis) {
        int outer = Shapes.product(shape, 0, axis);
        int dim = shape[axis];
        int inner = Shapes.product(shape, axis + 1, shape.length);
        int before = (int) ((size - 1) / 2);
        int after = (int) (size / 2);
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < dim; c++) {
                int from = Math.max(0, c - before);
                int to = Math.min(dim - 1, c + after);
                int base = o * dim * inner;
                for (int j = from; j <= to; j++) {
                    for (int i = 0; i < inner; i++) {
                        out[base + c * inner + i] += x[base + j * inner + i];
                    }
                }
            }
        }
        return out;
    }
}
