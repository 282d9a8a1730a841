package dev.infero.core.ops.activation;

import dev.infero.core.ops.eltwise.UnaryElementwise;
import jdk.incubator.vector.FloatVector;

/** Element-wise {@code x / (1 + |x|)} (OpenVINO SoftSign-9). */
public final class SoftSign extends UnaryElementwise {
    @Override
    public String type() {
        return "SoftSign";
    }

    @Override
    public String version() {
        return "opset9";
    }

    @Override
    protected boolean vectorized() {
        return true;
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
