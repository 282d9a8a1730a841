package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise arccosine (NaN outside [-1, 1]) of a floating tensor (OpenVINO Acos-1). */
public final class Acos extends UnaryElementwise {
    public static final OpSpec<Acos> SPEC = OpSpec.of(Acos.class, "Acos", "opset1", a -> new Acos());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ACOS;
    }

    @Override
    protected double apply(double x) {
        return Math.acos(x);
    }
}
