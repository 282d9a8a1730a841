package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic tangent of a floating tensor (OpenVINO Tanh-1). */
public final class Tanh extends UnaryElementwise {
    @Override
    public String type() {
        return "Tanh";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.TANH;
    }

    @Override
    protected double apply(double x) {
        return Math.tanh(x);
    }
}
