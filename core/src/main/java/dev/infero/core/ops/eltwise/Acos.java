package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise arccosine (NaN outside [-1, 1]) of a floating tensor (OpenVINO Acos-1). */
public final class Acos extends UnaryElementwise {
    @Override
    public String type() {
        return "Acos";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ACOS;
    }

    @Override
    protected double apply(double x) {
        return Math.acos(x);
    }
}
