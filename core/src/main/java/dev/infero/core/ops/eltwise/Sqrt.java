package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise square root (NaN below 0) of a floating tensor (OpenVINO Sqrt-1). */
public final class Sqrt extends UnaryElementwise {
    public static final OpSpec<Sqrt> SPEC = OpSpec.of(Sqrt.class, "Sqrt", "opset1", a -> new Sqrt());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.SQRT;
    }

    @Override
    protected double apply(double x) {
        return Math.sqrt(x);
    }
}
