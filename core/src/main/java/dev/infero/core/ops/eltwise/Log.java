package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise natural logarithm (NaN below 0, -inf at 0) of a floating tensor (OpenVINO Log-1). */
public final class Log extends UnaryElementwise {
    @Override
    public String type() {
        return "Log";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.LOG;
    }

    @Override
    protected double apply(double x) {
        return Math.log(x);
    }
}
