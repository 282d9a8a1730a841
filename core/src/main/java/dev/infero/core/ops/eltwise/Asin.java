package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise arcsine (NaN outside [-1, 1]) of a floating tensor (OpenVINO Asin-1). */
public final class Asin extends UnaryElementwise {
    public static final OpSpec<Asin> SPEC = OpSpec.of(Asin.class, "Asin", "opset1", a -> new Asin());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.ASIN;
    }

    @Override
    protected double apply(double x) {
        return Math.asin(x);
    }
}
