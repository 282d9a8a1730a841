package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.FloatExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise {@code ln(1 + e^x)} (OpenVINO SoftPlus-4), computed as {@code max(x, 0) + ln(1 + e^-|x|)}, which
 * neither overflows for large x nor loses the tiny result for very negative x.
 */
public final class SoftPlus extends VectorActivation {
    public static final OpSpec<SoftPlus> SPEC = OpSpec.of(SoftPlus.class, "SoftPlus", "opset4", a -> new SoftPlus());

    @Override
    protected FloatVector apply(FloatVector x) {
        return softPlus(x);
    }

    @Override
    protected double apply(double x) {
        return softPlus(x);
    }

    static FloatVector softPlus(FloatVector x) {
        // FloatExp's exp, not lanewise(EXP) (SVML once compiled); its clamp gives e^-86 for smaller arguments, an
        // absolute error under 1e-37. LOG1P still changes its last bits once C2 compiles the loop.
        return x.max(0f).add(FloatExp.exp(x.abs().neg()).lanewise(VectorOperators.LOG1P));
    }

    static double softPlus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
