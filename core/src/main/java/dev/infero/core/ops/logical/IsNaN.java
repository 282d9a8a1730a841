package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise test for NaN of a floating tensor, giving booleans (OpenVINO IsNaN-10). */
public final class IsNaN extends UnaryElementwise {
    public static final OpSpec<IsNaN> SPEC = OpSpec.of(IsNaN.class, "IsNaN", "opset10", a -> new IsNaN());

    @Override
    protected ElementType outputType(ElementType in) {
        return ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double x) {
        return Double.isNaN(x) ? 1 : 0;
    }
}
