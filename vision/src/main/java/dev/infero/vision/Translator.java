package dev.infero.vision;

import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * The pre- and post-processing of one model, apart from running it (DJL's {@code Translator}): {@code I} in,
 * tensors to the model, its output tensors back to {@code O}. Implementations hold no per-call state, so one
 * translator serves any number of {@link Predictor}s and threads.
 *
 * @param <I> what the caller has (an image, a face region)
 * @param <O> what the caller wants (detections, landmarks)
 */
public interface Translator<I, O> {
    /** The model's input tensors for {@code input}, in the model's input order. */
    List<Tensor> processInput(I input);

    /**
     * Decodes the model's outputs (in the model's output order, valid only during this call) for {@code input}, the
     * same value {@link #processInput} was given.
     */
    O processOutput(I input, List<Tensor> outputs);
}
