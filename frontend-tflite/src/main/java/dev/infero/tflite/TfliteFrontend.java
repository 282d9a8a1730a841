package dev.infero.tflite;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import java.nio.ByteBuffer;
import java.util.List;

/** TensorFlow Lite models: {@code .tflite} flatbuffers, recognised by their {@code TFL3} identifier. */
public final class TfliteFrontend implements ModelFrontend {
    @Override
    public String name() {
        return "tflite";
    }

    @Override
    public List<String> aliases() {
        return List.of("tensorflow-lite", "lite");
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return false;
        }
        byte[] head = source.head();
        if (head.length >= 8) {
            return TfliteModelFile.hasIdentifier(ByteBuffer.wrap(head));
        }
        return source.fileName().endsWith(".tflite");
    }

    @Override
    public Graph read(ModelSource source) {
        return TfliteImporter.read(source.model());
    }
}
