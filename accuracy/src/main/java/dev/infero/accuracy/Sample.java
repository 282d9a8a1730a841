package dev.infero.accuracy;

import dev.infero.api.io.ImageInput;
import java.util.function.Supplier;

/**
 * One annotated dataset entry: an identifier (file name relative to the data source, or {@code file#index} for
 * samples packed in one file), how to get its image, and its ground truth.
 */
public record Sample(String id, Supplier<ImageInput.Planes> image, Annotation annotation) {
}
