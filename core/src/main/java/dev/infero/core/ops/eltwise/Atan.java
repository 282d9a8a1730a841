package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise arctangent of a floating tensor (OpenVINO Atan-1). */
public final class Atan extends UnaryElementwise {
    public static final OpSpec<Atan> SPEC = OpSpec.of(Atan.class, "Atan", "opset1", a -> new Atan());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ATAN;
    }

    @Override
    protected double apply(double x) {
        return Math.atan(x);
    }
}
