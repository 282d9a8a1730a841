package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/** Element-wise {@code a == b} (equal) with numpy broadcasting and boolean output (OpenVINO Equal-1). */
public final class Equal extends Comparison {
    public static final OpSpec<Equal> SPEC = OpSpec.of(Equal.class, "Equal", "opset1",
            a -> new Equal(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a == b;
    }

    @Override
    protected boolean holds(int order) {
        return order == 0;
    }
}
