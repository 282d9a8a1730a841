package dev.infero.core.ops.detection;

import dev.infero.core.op.OpFactories;

/** Registers the object-detection ops' declarations with the {@link OpFactories} table it is given. */
public final class DetectionOps {
    private DetectionOps() {
    }

    public static void register(OpFactories r) {
        PriorBox.SPEC_1.register(r);
        PriorBox.SPEC_8.register(r);
        PriorBoxClustered.SPEC.register(r);
        DetectionOutput.SPEC_1.register(r);
        DetectionOutput.SPEC_8.register(r);
        ROIAlign.SPEC.register(r);
    }
}
