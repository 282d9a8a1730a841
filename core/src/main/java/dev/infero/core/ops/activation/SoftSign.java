package dev.infero.core.ops.activation;

import jdk.incubator.vector.FloatVector;

/** Element-wise {@code x / (1 + |x|)} (OpenVINO SoftSign-9). */
public final class SoftSign extends VectorActivation {
    @Override
    public String type() {
        return "SoftSign";
    }

    @Override
    public String version() {
        return "opset9";
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.div(x.abs().add(1f));
    }

    @Override
    protected double apply(double x) {
        return x / (1 + Math.abs(x));
    }
}
