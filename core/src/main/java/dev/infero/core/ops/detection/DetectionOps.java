package dev.infero.core.ops.detection;

import dev.infero.core.op.OpFactories;

/** Registers the object-detection ops' declarations with the {@link OpFactories} table it is given. */
public final class DetectionOps {
    private DetectionOps() {
    }

    public static void register(OpFactories r) {
        r.registerAll(PriorBox.SPEC_1, PriorBox.SPEC_8, PriorBoxClustered.SPEC, DetectionOutput.SPEC_1,
                DetectionOutput.SPEC_8, ROIAlign.SPEC);
    }
}
