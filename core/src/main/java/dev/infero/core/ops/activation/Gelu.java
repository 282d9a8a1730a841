package dev.infero.core.ops.activation;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.SpecialFunctions;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Gaussian error linear unit (OpenVINO Gelu-7): {@code x * Phi(x)} with the exact normal CDF
 * ({@code approximation_mode="erf"}) or its tanh approximation
 * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} ({@code "tanh"}).
 */
public final class Gelu extends UnaryElementwise {
    private static final Attribute<Gelu, Approximation> APPROXIMATION_MODE = Attribute.enumValue(
            "approximation_mode", Approximation.class, (Gelu op) -> op.mode).orElse(Approximation.ERF);
    public static final OpSpec<Gelu> SPEC = OpSpec.of(Gelu.class, "Gelu", "opset7",
            a -> new Gelu(APPROXIMATION_MODE.read(a)), APPROXIMATION_MODE);

    public enum Approximation {
        ERF, TANH
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double CUBIC = 0.044715;

    private final Approximation mode;

    public Gelu(Approximation mode) {
        this.mode = mode;
    }

    @Override
    protected boolean vectorized() {
        return mode == Approximation.TANH; // the JDK has no vector erf
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        FloatVector inner = x.mul(x).mul((float) CUBIC).add(1f).mul(x).mul((float) SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f));
    }

    @Override
    protected double apply(double x) {
        return mode == Approximation.TANH ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + CUBIC * x * x * x)))
                : erfGelu(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        if (vectorized()) {
            super.applyFloats(x, z, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            z[i] = (float) erfGelu(x[i]);
        }
    }

    private static double erfGelu(double x) {
        return 0.5 * x * (1 + SpecialFunctions.erf(x / Math.sqrt(2)));
    }
}
