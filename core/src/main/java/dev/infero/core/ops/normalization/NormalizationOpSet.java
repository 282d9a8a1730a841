package dev.infero.core.ops.normalization;

import dev.infero.core.op.OpFactories;

/** IR factories of the softmax family and the normalizations (read what each op's {@code describe} writes). */
public final class NormalizationOpSet {
    private NormalizationOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("SoftMax", 1, a -> new Softmax(a.integer("axis")));
        r.register("LogSoftmax", 5, a -> new LogSoftmax(a.integer("axis")));
        r.register("MVN", 6, a -> new MVN(a.bool("normalize_variance", true), a.number("eps"),
                a.enumValue(MVN.EpsMode.class, "eps_mode", "inside_sqrt")));
        r.register("LRN", 1, a -> new LRN(a.number("alpha"), a.number("beta"), a.number("bias"),
                a.integer("size")));
        r.register("NormalizeL2", 1, a -> new NormalizeL2(a.number("eps"),
                a.string("eps_mode").equals("add")));
        r.register("GroupNormalization", 12, a -> new GroupNormalization(a.integer("num_groups"),
                a.number("epsilon")));
    }
}
