package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.FloatExp;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise logistic function {@code 1 / (1 + e^-x)} (OpenVINO Sigmoid-1). On f32 data through
 * {@link FloatExp#sigmoid}, the same bits in vector lanes, the scalar tail, cold or compiled, and in fused kernels.
 */
public final class Sigmoid extends VectorActivation {
    public static final OpSpec<Sigmoid> SPEC = OpSpec.of(Sigmoid.class, "Sigmoid", "opset1", a -> new Sigmoid());

    @Override
    protected FloatVector apply(FloatVector x) {
        return FloatExp.sigmoid(x);
    }

    @Override
    protected float applyFloat(float x) {
        return FloatExp.sigmoid(x);
    }

    @Override
    protected double apply(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
