package dev.infero.vision;

import dev.infero.api.CompiledModel;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Translator} around one compiled model: {@code predict(input)} = preprocess, infer, postprocess.
 * Holds one {@link InferRequest}, so one predictor serves one thread at a time; make one per thread (they may share
 * the compiled model).
 *
 * @param <I> input type
 * @param <O> output type
 */
public class Predictor<I, O> implements AutoCloseable {
    private final CompiledModel model;
    private final Translator<I, O> translator;
    private final boolean ownsModel;
    private final InferRequest request;
    private long inferNanos;

    /**
     * @param model      the compiled model
     * @param translator its pre/post-processing
     * @param ownsModel  close {@code model} when this predictor is closed
     */
    public Predictor(CompiledModel model, Translator<I, O> translator, boolean ownsModel) {
        this.model = model;
        this.translator = translator;
        this.ownsModel = ownsModel;
        this.request = model.createInferRequest();
    }

    /** Preprocesses {@code input}, runs the model and decodes its outputs. */
    public O predict(I input) {
        List<Tensor> inputs = translator.processInput(input);
        for (int i = 0; i < inputs.size(); i++) {
            request.setInput(i, inputs.get(i));
        }
        long t0 = System.nanoTime();
        request.infer();
        inferNanos += System.nanoTime() - t0;
        int n = model.outputs().size();
        List<Tensor> outputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outputs.add(request.getOutput(i));
        }
        return translator.processOutput(input, outputs);
    }

    /** Total time spent inside {@code infer()} so far, in nanoseconds (pre/post-processing excluded). */
    public long inferenceNanos() {
        return inferNanos;
    }

    public CompiledModel model() {
        return model;
    }

    public Translator<I, O> translator() {
        return translator;
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
