package dev.infero.core.ops.activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code x * tanh(softplus(x))} (OpenVINO Mish-4). */
public final class Mish extends VectorActivation {
    @Override
    public String type() {
        return "Mish";
    }

    @Override
    public String version() {
        return "opset4";
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.mul(SoftPlus.softPlus(x).lanewise(VectorOperators.TANH));
    }

    @Override
    protected double apply(double x) {
        return x * Math.tanh(SoftPlus.softPlus(x));
    }
}
