package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic cosine of a floating tensor (OpenVINO Cosh-1). */
public final class Cosh extends UnaryElementwise {
    public static final OpSpec<Cosh> SPEC = OpSpec.of(Cosh.class, "Cosh", "opset1", a -> new Cosh());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.COSH;
    }

    @Override
    protected double apply(double x) {
        return Math.cosh(x);
    }
}
