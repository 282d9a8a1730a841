package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/** Element-wise {@code a > b} (greater than) with numpy broadcasting and boolean output (OpenVINO Greater-1). */
public final class Greater extends Comparison {
    public static final OpSpec<Greater> SPEC = OpSpec.of(Greater.class, "Greater", "opset1",
            a -> new Greater(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a > b;
    }

    @Override
    protected boolean holds(int order) {
        return order > 0;
    }
}
