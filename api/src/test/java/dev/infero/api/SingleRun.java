package dev.infero.api;

import dev.infero.core.tensor.Tensor;

/** Test helper: one inference of a one-input, one-output model. */
public final class SingleRun {
    private SingleRun() {
    }

    /** Runs {@code model} once on {@code x}, closes it and returns a copy of its first output. */
    public static Tensor closing(CompiledModel model, Tensor x) {
        try (model) {
            return once(model, x);
        }
    }

    /** Runs {@code model} once on {@code x} (left open) and returns a copy of its first output. */
    public static Tensor once(CompiledModel model, Tensor x) {
        InferRequest r = model.createInferRequest();
        r.setInput(0, x);
        r.infer();
        return r.getOutput(0).copy();
    }
}
