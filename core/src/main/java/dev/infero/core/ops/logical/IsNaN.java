package dev.infero.core.ops.logical;

import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.types.ElementType;

/** Element-wise test for NaN of a floating tensor, giving booleans (OpenVINO IsNaN-10). */
public final class IsNaN extends UnaryElementwise {
    @Override
    public String type() {
        return "IsNaN";
    }

    @Override
    public String version() {
        return "opset10";
    }

    @Override
    protected ElementType outputType(ElementType in) {
        return ElementType.BOOLEAN;
    }

    @Override
    protected double apply(double x) {
        return Double.isNaN(x) ? 1 : 0;
    }
}
