package dev.infero.core.ops.activation;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
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

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.blend(x.lanewise(VectorOperators.EXPM1).mul((float) alpha), x.compare(VectorOperators.LE, 0f));
    }

    @Override
    protected double apply(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }
}
