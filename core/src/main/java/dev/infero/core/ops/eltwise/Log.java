package dev.infero.core.ops.eltwise;

import dev.infero.core.op.OpSpec;
import jdk.incubator.vector.VectorOperators;

/** Element-wise natural logarithm (NaN below 0, -inf at 0) of a floating tensor (OpenVINO Log-1). */
public final class Log extends UnaryElementwise {
    public static final OpSpec<Log> SPEC = OpSpec.of(Log.class, "Log", "opset1", a -> new Log());

    @Override
    protected VectorOperators.Unary vectorOp() {
        return VectorOperators.LOG;
    }

    @Override
    protected double apply(double x) {
        return Math.log(x);
    }
}
