package dev.infero.accuracy;

import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * Turns one sample's raw model outputs into a {@link Prediction} (the Accuracy Checker's launcher {@code adapter}).
 * Coordinates are mapped back to the original image with the preprocessing geometry.
 */
public interface Adapter {
    /** The adapter's name as configured. */
    String name();

    /**
     * @param names   the model's output names, in output order
     * @param outputs the model's outputs, in the same order (valid only during the call)
     */
    Prediction process(List<String> names, List<Tensor> outputs, Preprocessor.Geometry geometry);
}
