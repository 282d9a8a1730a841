package dev.infero.core.ops.activation;

import dev.infero.core.op.AttributeSink;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise {@code x > 0 ? x : alpha * (e^x - 1)} (OpenVINO Elu-1). */
public final class Elu extends VectorActivation {
    private final double alpha;

    public Elu(double alpha) {
        this.alpha = alpha;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public String type() {
        return "Elu";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("alpha", alpha);
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
