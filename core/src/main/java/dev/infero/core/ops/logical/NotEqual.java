package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/** Element-wise {@code a != b} (not equal) with numpy broadcasting and boolean output (OpenVINO NotEqual-1). */
public final class NotEqual extends Comparison {
    public static final OpSpec<NotEqual> SPEC = OpSpec.of(NotEqual.class, "NotEqual", "opset1",
            a -> new NotEqual(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a != b;
    }

    @Override
    protected boolean holds(int order) {
        return order != 0;
    }
}
