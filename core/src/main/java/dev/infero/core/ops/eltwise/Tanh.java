package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise hyperbolic tangent of a floating tensor (OpenVINO Tanh-1). */
public final class Tanh extends UnaryElementwise {
    public static final OpSpec<Tanh> SPEC = OpSpec.of(Tanh.class, "Tanh", "opset1", a -> new Tanh());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.TANH;
    }

    @Override
    protected double apply(double x) {
        return Math.tanh(x);
    }
}
