package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/**
 * Element-wise {@code a >= b} (greater than or equal) with numpy broadcasting and boolean output
 * (OpenVINO GreaterEqual-1).
 */
public final class GreaterEqual extends Comparison {
    public static final OpSpec<GreaterEqual> SPEC = OpSpec.of(GreaterEqual.class, "GreaterEqual", "opset1",
            a -> new GreaterEqual(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a >= b;
    }

    @Override
    protected boolean holds(int order) {
        return order >= 0;
    }
}
