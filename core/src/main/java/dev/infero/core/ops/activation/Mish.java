package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code x * tanh(softplus(x))} (OpenVINO Mish-4). */
public final class Mish extends VectorActivation {
    public static final OpSpec<Mish> SPEC = OpSpec.of(Mish.class, "Mish", "opset4", a -> new Mish());

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.mul(SoftPlus.softPlus(x).lanewise(VectorOperators.TANH));
    }

    @Override
    protected double apply(double x) {
        return x * Math.tanh(SoftPlus.softPlus(x));
    }
}
