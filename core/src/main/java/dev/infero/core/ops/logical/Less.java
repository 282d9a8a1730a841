package dev.infero.core.ops.logical;

import dev.infero.core.op.OpSpec;

/** Element-wise {@code a < b} (less than) with numpy broadcasting and boolean output (OpenVINO Less-1). */
public final class Less extends Comparison {
    public static final OpSpec<Less> SPEC = OpSpec.of(Less.class, "Less", "opset1", a -> new Less(), AUTO_BROADCAST);

    @Override
    protected boolean test(double a, double b) {
        return a < b;
    }

    @Override
    protected boolean holds(int order) {
        return order < 0;
    }
}
