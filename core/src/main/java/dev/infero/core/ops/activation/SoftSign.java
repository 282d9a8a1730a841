package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.FloatVector;

/** Element-wise {@code x / (1 + |x|)} (OpenVINO SoftSign-9). */
public final class SoftSign extends VectorActivation {
    public static final OpSpec<SoftSign> SPEC = OpSpec.of(SoftSign.class, "SoftSign", "opset9", a -> new SoftSign());

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.div(x.abs().add(1f));
    }

    @Override
    protected double apply(double x) {
        return x / (1 + Math.abs(x));
    }
}
