package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/**
 * Element-wise {@code a <= b} (less than or equal) with numpy broadcasting and boolean output
 * (OpenVINO LessEqual-1).
 */
public final class LessEqual extends Comparison {
    public static final OpSpec<LessEqual> SPEC = OpSpec.of(LessEqual.class, "LessEqual", "opset1",
            a -> new LessEqual(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a <= b;
    }

    @Override
    protected boolean holds(int order) {
        return order <= 0;
    }
}
