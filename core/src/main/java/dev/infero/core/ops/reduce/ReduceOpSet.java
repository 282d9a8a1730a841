package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpFactories;

/** IR factories of the reductions (read what each op's {@code describe} writes). */
public final class ReduceOpSet {
    private ReduceOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(ReduceSum.SPEC, ReduceMean.SPEC, ReduceProd.SPEC, ReduceMax.SPEC, ReduceMin.SPEC, ReduceL1.SPEC,
                ReduceL2.SPEC);
    }
}
