package dev.infero.tf;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import java.nio.file.Files;
import java.util.List;

/**
 * TensorFlow models: frozen GraphDefs ({@code .pb} binary, {@code .pbtxt} text), optionally with a companion text
 * graph ({@code --input_proto}, e.g. OpenCV's detector graphs that add PriorBox/DetectionOutput), and SavedModel
 * directories.
 */
public final class TfFrontend implements ModelFrontend {
    @Override
    public String name() {
        return "tf";
    }

    @Override
    public List<String> aliases() {
        return List.of("tensorflow");
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return Files.exists(source.model().resolve("saved_model.pb"))
                    || Files.exists(source.model().resolve("saved_model.pbtxt"));
        }
        String name = source.fileName();
        if (name.endsWith(".onnx") || name.endsWith(".caffemodel") || name.endsWith(".params")
                || name.endsWith(".tflite") || name.endsWith(".xml") || name.endsWith(".json")
                || name.endsWith(".prototxt")) {
            return false;
        }
        byte[] head = source.head();
        if (name.endsWith(".pb") || name.endsWith(".pbtxt") || name.endsWith(".pbtx")) {
            return true;
        }
        return TfModelReader.looksLikeBinaryGraph(head) || TfModelReader.looksLikeText(head);
    }

    @Override
    public Graph read(ModelSource source) {
        return TfModelReader.read(source);
    }
}
