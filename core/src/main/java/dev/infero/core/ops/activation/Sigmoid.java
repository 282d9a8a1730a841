package dev.infero.core.ops.activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise logistic function {@code 1 / (1 + e^-x)} (OpenVINO Sigmoid-1). */
public final class Sigmoid extends VectorActivation {
    @Override
    public String type() {
        return "Sigmoid";
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.broadcast(1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    @Override
    protected double apply(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
