package dev.infero.core.ops.detection;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpRegistry;

/** Registers the object-detection ops' IR factories with {@link OpRegistry}. */
public final class DetectionOps {
    private DetectionOps() {
    }

    public static void register() {
        OpRegistry.register("PriorBox", 1, a -> PriorBox.v1(PriorBox.Attributes.read(a)));
        OpRegistry.register("PriorBox", 8, a -> PriorBox.v8(PriorBox.Attributes.read(a),
                a.bool("min_max_aspect_ratios_order", true)));
        OpRegistry.register("PriorBoxClustered", 1, a -> new PriorBoxClustered(PriorBoxClustered.Attributes.read(a)));
        OpRegistry.register("DetectionOutput", 1, a -> DetectionOutput.v1(numClasses(a),
                DetectionOutput.Attributes.read(a)));
        OpRegistry.register("DetectionOutput", 8, a -> DetectionOutput.v8(DetectionOutput.Attributes.read(a)));
        OpRegistry.register("ROIAlign", 9, ROIAlign::read);
    }

    private static int numClasses(AttributeSource a) {
        long n = a.integer("num_classes");
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw a.error("attribute num_classes=\"" + n + "\" must be a positive integer");
        }
        return (int) n;
    }
}
