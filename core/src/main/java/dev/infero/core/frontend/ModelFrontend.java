package dev.infero.core.frontend;

import dev.infero.core.graph.Graph;

/**
 * A reader of one model format into Infero's graph (OpenVINO's {@code ov::frontend::FrontEnd}). Frontends are found
 * with {@link java.util.ServiceLoader}: a frontend module lists its implementation in
 * {@code META-INF/services/dev.infero.core.frontend.ModelFrontend}, and {@link Frontends} picks the one for a model.
 */
public interface ModelFrontend {
    /**
     * The framework name users give with {@code --framework} ({@code onnx}, {@code ir}, {@code tf}, {@code tflite},
     * {@code caffe}, {@code mxnet}); lower case.
     */
    String name();

    /** Other names {@code --framework} accepts for this frontend (e.g. {@code tensorflow}). */
    default java.util.List<String> aliases() {
        return java.util.List.of();
    }

    /**
     * Whether this frontend recognises the model, by content first ({@link ModelSource#head()}) and name second. Must
     * be cheap and must not throw for another format's file.
     */
    boolean accepts(ModelSource source);

    /**
     * Reads the model. Anything wrong with it (corrupt file, unsupported ops, listed all at once with the layer names)
     * is an {@link dev.infero.core.InferoException} naming the file and element.
     */
    Graph read(ModelSource source);
}
