package dev.infero.core.ops.recurrent;

import dev.infero.core.op.OpRegistry;

/** IR factories of the recurrent sequence ops (OpenVINO opset 5). */
public final class RecurrentOpSet {
    private RecurrentOpSet() {
    }

    public static void register() {
        OpRegistry.register("RNNSequence", 5, RNNSequence::read);
        OpRegistry.register("GRUSequence", 5, GRUSequence::read);
        OpRegistry.register("LSTMSequence", 5, LSTMSequence::read);
    }
}
