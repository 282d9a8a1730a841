package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise cosine of a floating tensor (OpenVINO Cos-1). */
public final class Cos extends UnaryElementwise {
    public static final OpSpec<Cos> SPEC = OpSpec.of(Cos.class, "Cos", "opset1", a -> new Cos());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.COS;
    }

    @Override
    protected double apply(double x) {
        return Math.cos(x);
    }
}
