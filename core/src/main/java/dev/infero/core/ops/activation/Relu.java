package dev.infero.core.ops.activation;

import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.FloatVector;

/** Element-wise {@code max(x, 0)} (OpenVINO ReLU-1); NaN stays NaN; any numeric type. */
public final class Relu extends VectorActivation {
    public static final OpSpec<Relu> SPEC = OpSpec.of(Relu.class, "ReLU", "opset1", a -> new Relu());

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.max(0f);
    }

    @Override
    protected double apply(double x) {
        return Math.max(x, 0);
    }

    @Override
    protected long apply(long x, ElementType type) {
        return type.isSigned() ? Math.max(x, 0) : x;
    }
}
