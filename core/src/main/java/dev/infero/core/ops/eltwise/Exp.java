package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise exponential e^x of a floating tensor (OpenVINO Exp-1). */
public final class Exp extends UnaryElementwise {
    public static final OpSpec<Exp> SPEC = OpSpec.of(Exp.class, "Exp", "opset1", a -> new Exp());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.EXP;
    }

    @Override
    protected double apply(double x) {
        return Math.exp(x);
    }
}
