package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpFactories;

/** IR factories of the recurrent sequence ops (OpenVINO opset 5). */
public final class RecurrentOpSet {
    private RecurrentOpSet() {
    }

    public static void register(OpFactories r) {
        r.registerAll(RNNSequence.SPEC, GRUSequence.SPEC, LSTMSequence.SPEC);
    }
}
