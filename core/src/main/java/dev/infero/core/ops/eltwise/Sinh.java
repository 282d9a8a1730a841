package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic sine of a floating tensor (OpenVINO Sinh-1). */
public final class Sinh extends UnaryElementwise {
    @Override
    public String type() {
        return "Sinh";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.SINH;
    }

    @Override
    protected double apply(double x) {
        return Math.sinh(x);
    }
}
