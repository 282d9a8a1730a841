package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise tangent of a floating tensor (OpenVINO Tan-1). */
public final class Tan extends UnaryElementwise {
    public static final OpSpec<Tan> SPEC = OpSpec.of(Tan.class, "Tan", "opset1", a -> new Tan());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.TAN;
    }

    @Override
    protected double apply(double x) {
        return Math.tan(x);
    }
}
