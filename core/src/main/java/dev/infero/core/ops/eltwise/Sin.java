package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise sine of a floating tensor (OpenVINO Sin-1). */
public final class Sin extends UnaryElementwise {
    @Override
    public String type() {
        return "Sin";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.SIN;
    }

    @Override
    protected double apply(double x) {
        return Math.sin(x);
    }
}
