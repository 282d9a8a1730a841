package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpFactories;

/** IR factories of the reductions (read what each op's {@code describe} writes). */
public final class ReduceOpSet {
    private ReduceOpSet() {
    }

    public static void register(OpFactories r) {
        ReduceSum.SPEC.register(r);
        ReduceMean.SPEC.register(r);
        ReduceProd.SPEC.register(r);
        ReduceMax.SPEC.register(r);
        ReduceMin.SPEC.register(r);
        ReduceL1.SPEC.register(r);
        ReduceL2.SPEC.register(r);
    }
}
