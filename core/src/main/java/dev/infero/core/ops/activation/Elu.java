package dev.infero.core.ops.activation;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.FloatExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code x > 0 ? x : alpha * (e^x - 1)} (OpenVINO Elu-1). */
public final class Elu extends VectorActivation {
    private static final Attribute<Elu, Double> ALPHA = Attribute.number("alpha", Elu::alpha);
    public static final OpSpec<Elu> SPEC = OpSpec.of(Elu.class, "Elu", "opset1", a -> new Elu(ALPHA.read(a)), ALPHA);

    private final double alpha;

    public Elu(double alpha) {
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
    }

    /**
     * On f32 data {@code (exp(x) - 1) · alpha} with {@link FloatExp}'s exp, as ONNX states it and as the fused ELU of
     * convolutions computes it ({@link FloatExp#elu}), the same bits cold or compiled; not {@code EXPM1}, whose last
     * bits change once C2 compiles the loop. The cost: near 0 the difference has the absolute error of exp (an ulp of
     * 1), not expm1's relative one.
     */
    @Override
    protected FloatVector apply(FloatVector x) {
        return x.blend(FloatExp.exp(x).sub(1f).mul((float) alpha), x.compare(VectorOperators.LT, 0f));
    }

    @Override
    protected float applyFloat(float x) {
        return FloatExp.elu(x, (float) alpha);
    }

    @Override
    protected double apply(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }
}
