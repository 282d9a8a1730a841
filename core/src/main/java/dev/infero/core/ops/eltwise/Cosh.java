package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic cosine of a floating tensor (OpenVINO Cosh-1). */
public final class Cosh extends UnaryElementwise {
    @Override
    public String type() {
        return "Cosh";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.COSH;
    }

    @Override
    protected double apply(double x) {
        return Math.cosh(x);
    }
}
