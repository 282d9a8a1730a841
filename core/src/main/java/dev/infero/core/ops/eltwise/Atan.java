package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise arctangent of a floating tensor (OpenVINO Atan-1). */
public final class Atan extends UnaryElementwise {
    @Override
    public String type() {
        return "Atan";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ATAN;
    }

    @Override
    protected double apply(double x) {
        return Math.atan(x);
    }
}
