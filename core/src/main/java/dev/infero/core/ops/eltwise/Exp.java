package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise exponential e^x of a floating tensor (OpenVINO Exp-1). */
public final class Exp extends UnaryElementwise {
    @Override
    public String type() {
        return "Exp";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.EXP;
    }

    @Override
    protected double apply(double x) {
        return Math.exp(x);
    }
}
