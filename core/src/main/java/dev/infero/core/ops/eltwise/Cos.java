package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise cosine of a floating tensor (OpenVINO Cos-1). */
public final class Cos extends UnaryElementwise {
    @Override
    public String type() {
        return "Cos";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.COS;
    }

    @Override
    protected double apply(double x) {
        return Math.cos(x);
    }
}
