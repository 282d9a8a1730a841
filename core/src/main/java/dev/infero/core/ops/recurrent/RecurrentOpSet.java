package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpFactories;

/** IR factories of the recurrent sequence ops (OpenVINO opset 5). */
public final class RecurrentOpSet {
    private RecurrentOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("RNNSequence", 5, RNNSequence::read);
        r.register("GRUSequence", 5, GRUSequence::read);
        r.register("LSTMSequence", 5, LSTMSequence::read);
    }
}
