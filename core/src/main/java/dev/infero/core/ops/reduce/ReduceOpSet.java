package dev.infero.core.ops.reduce;

import dev.infero.core.op.OpFactories;

/** IR factories of the reductions (read what each op's {@code describe} writes). */
public final class ReduceOpSet {
    private ReduceOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("ReduceSum", 1, a -> new ReduceSum(a.bool("keep_dims", false)));
        r.register("ReduceMean", 1, a -> new ReduceMean(a.bool("keep_dims", false)));
        r.register("ReduceProd", 1, a -> new ReduceProd(a.bool("keep_dims", false)));
        r.register("ReduceMax", 1, a -> new ReduceMax(a.bool("keep_dims", false)));
        r.register("ReduceMin", 1, a -> new ReduceMin(a.bool("keep_dims", false)));
        r.register("ReduceL1", 4, a -> new ReduceL1(a.bool("keep_dims", false)));
        r.register("ReduceL2", 4, a -> new ReduceL2(a.bool("keep_dims", false)));
    }
}
