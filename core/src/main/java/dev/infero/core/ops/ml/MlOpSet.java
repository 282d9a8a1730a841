package dev.infero.core.ops.ml;

import dev.infero.core.op.OpFactories;

/** IR factories of the classical machine-learning ops of this package: each op's declaration, registered. */
public final class MlOpSet {
    private MlOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(TreeEnsemble.SPEC, TfIdfVectorizer.SPEC);
    }
}
