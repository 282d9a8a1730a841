package dev.infero.core.ops.detection;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;

/** Registers the object-detection ops' IR factories with the {@link OpFactories} table it is given. */
public final class DetectionOps {
    private DetectionOps() {
    }

    public static void register(OpFactories r) {
        r.register("PriorBox", 1, a -> PriorBox.v1(PriorBox.Attributes.read(a)));
        r.register("PriorBox", 8, a -> PriorBox.v8(PriorBox.Attributes.read(a),
                a.bool("min_max_aspect_ratios_order", true)));
        r.register("PriorBoxClustered", 1, a -> new PriorBoxClustered(PriorBoxClustered.Attributes.read(a)));
        r.register("DetectionOutput", 1, a -> DetectionOutput.v1(numClasses(a),
                DetectionOutput.Attributes.read(a)));
        r.register("DetectionOutput", 8, a -> DetectionOutput.v8(DetectionOutput.Attributes.read(a)));
        r.register("ROIAlign", 9, ROIAlign::read);
    }

    private static int numClasses(AttributeSource a) {
        long n = a.integer("num_classes");
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw a.error("attribute num_classes=\"" + n + "\" must be a positive integer");
        }
        return (int) n;
    }
}
