package dev.infero.core.ops.eltwise;

import jdk.incubator.vector.VectorOperators;

/** Element-wise arcsine (NaN outside [-1, 1]) of a floating tensor (OpenVINO Asin-1). */
public final class Asin extends UnaryElementwise {
    @Override
    public String type() {
        return "Asin";
    }

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ASIN;
    }

    @Override
    protected double apply(double x) {
        return Math.asin(x);
    }
}
