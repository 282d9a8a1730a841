package dev.infero.core.ops.normalization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.reduce.ReductionAxes;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/**
 * MVN-6 (mean-variance normalization): subtracts the mean over the axes of input 1 and, with
 * {@code normalize_variance}, divides by the standard deviation: {@code (x - mean) / sqrt(var + eps)} for
 * {@code eps_mode="inside_sqrt"}, {@code (x - mean) / (sqrt(var) + eps)} for {@code outside_sqrt}. The variance is
 * the biased one (divided by the element count).
 */
public final class MVN extends Op {
    /** Where eps is added: to the variance, or to the standard deviation. */
    public enum EpsMode {
        INSIDE_SQRT, OUTSIDE_SQRT;

        public String irName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Attribute<MVN, Double> EPS = Attribute.number("eps", MVN::eps);
    private static final Attribute<MVN, EpsMode> EPS_MODE = Attribute.enumValue("eps_mode", EpsMode.class,
            MVN::epsMode).orElse(EpsMode.INSIDE_SQRT);
    private static final Attribute<MVN, Boolean> NORMALIZE_VARIANCE = Attribute.bool("normalize_variance",
            MVN::normalizeVariance).orElse(true);
    public static final OpSpec<MVN> SPEC = OpSpec.of(MVN.class, "MVN", "opset6",
            a -> new MVN(NORMALIZE_VARIANCE.read(a), EPS.read(a), EPS_MODE.read(a)), EPS, EPS_MODE, NORMALIZE_VARIANCE);

    private final boolean normalizeVariance;
    private final double eps;
    private final EpsMode epsMode;

    public MVN(boolean normalizeVariance, double eps, EpsMode epsMode) {
        this.normalizeVariance = normalizeVariance;
        this.eps = eps;
        this.epsMode = epsMode;
    }

    /** Whether the result is also divided by the standard deviation ({@code normalize_variance}). */
    public boolean normalizeVariance() {
        return normalizeVariance;
    }

    public double eps() {
        return eps;
    }

    public EpsMode epsMode() {
        return epsMode;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.requireFloating(0, "data");
        PartialShape in = ctx.inputShape(0);
        Tensor axes = ctx.inputValue(1);
        if (axes != null && in.hasRank()) {
            ReductionAxes.mask(ctx, axes, in.rank());
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Moments m = new Moments(in, ReductionAxes.mask(inputs[1], in.rank()));
        double[] scale = new double[m.mean.length];
        if (normalizeVariance) {
            for (int g = 0; g < scale.length; g++) {
                scale[g] = 1 / (epsMode == EpsMode.INSIDE_SQRT ? Math.sqrt(m.variance[g] + eps)
                        : Math.sqrt(m.variance[g]) + eps);
            }
        } else {
            Arrays.fill(scale, 1);
        }
        m.normalize(scale, outputs[0]);
    }
}
