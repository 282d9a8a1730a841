package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise logistic function {@code 1 / (1 + e^-x)} (OpenVINO Sigmoid-1). */
public final class Sigmoid extends VectorActivation {
    public static final OpSpec<Sigmoid> SPEC = OpSpec.of(Sigmoid.class, "Sigmoid", "opset1", a -> new Sigmoid());

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.broadcast(1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    @Override
    protected double apply(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
