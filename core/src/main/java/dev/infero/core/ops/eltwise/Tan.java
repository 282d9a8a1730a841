package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise tangent of a floating tensor (OpenVINO Tan-1). */
public final class Tan extends UnaryElementwise {
    @Override
    public String type() {
        return "Tan";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.TAN;
    }

    @Override
    protected double apply(double x) {
        return Math.tan(x);
    }
}
