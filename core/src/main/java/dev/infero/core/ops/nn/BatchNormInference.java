package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * BatchNormInference-5: {@code y = (x - mean) / sqrt(variance + epsilon) * gamma + beta} per channel (axis 1).
 * Inputs: data, gamma, beta, mean, variance.
 */
public final class BatchNormInference extends Op {
    private static final Attribute<BatchNormInference, Double> EPSILON = Attribute.number("epsilon",
            BatchNormInference::epsilon);
    public static final OpSpec<BatchNormInference> SPEC = OpSpec.of(BatchNormInference.class, "BatchNormInference",
            "opset5", a -> new BatchNormInference(EPSILON.read(a)), EPSILON);

    private final double epsilon;

    public BatchNormInference(double epsilon) {
        this.epsilon = epsilon;
    }

    public double epsilon() {
        return epsilon;
    }

    /**
     * The op as the per-channel affine map {@code y = x·scale + shift}, computed in double from its gamma, beta,
     * mean and variance inputs (one value per channel each). Evaluation and every fold into a preceding layer use
     * this one formula, so folded and unfolded models agree.
     */
    public ScaleShift scaleShift(Tensor gamma, Tensor beta, Tensor mean, Tensor variance) {
        int channels = gamma.size();
        double[] scale = new double[channels];
        double[] shift = new double[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma.getDouble(c) / Math.sqrt(variance.getDouble(c) + epsilon);
            shift[c] = beta.getDouble(c) - mean.getDouble(c) * scale[c];
        }
        return new ScaleShift(scale, shift);
    }

    /** Per-channel {@code scale} and {@code shift} of {@link #scaleShift}. */
    public record ScaleShift(double[] scale, double[] shift) {
        /** The scale rounded to f32. */
        public float[] scaleF32() {
            return toF32(scale);
        }

        /** The shift rounded to f32. */
        public float[] shiftF32() {
            return toF32(shift);
        }

        private static float[] toF32(double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape x = ctx.inputShape(0);
        if (x.hasRank() && x.rank() < 2) {
            throw ctx.error("data must have a channel dimension, got " + x);
        }
        for (int i = 1; i < 5; i++) {
            PartialShape p = ctx.inputShape(i);
            if (p.hasRank() && (p.rank() != 1 || (x.hasRank() && x.dim(1) != PartialShape.DYNAMIC
                    && p.dim(0) != PartialShape.DYNAMIC && p.dim(0) != x.dim(1)))) {
                throw ctx.error("input " + i + " must hold one value per channel, got " + p);
            }
        }
        ctx.setOutput(0, ctx.inputType(0), x);
    }

    @Override
    public void evaluate(Tensor[] in, Tensor[] out) {
        Tensor x = in[0];
        Tensor y = out[0];
        int channels = x.shape()[1];
        int inner = dev.infero.core.types.Shapes.product(x.shape(), 2, x.rank());
        int outer = x.shape()[0];
        ScaleShift affine = scaleShift(in[1], in[2], in[3], in[4]);
        for (int c = 0; c < channels; c++) {
            double scale = affine.scale()[c];
            double shift = affine.shift()[c];
            for (int n = 0; n < outer; n++) {
                int base = (n * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    y.setDouble(base + i, x.getDouble(base + i) * scale + shift);
                }
            }
        }
    }
}
