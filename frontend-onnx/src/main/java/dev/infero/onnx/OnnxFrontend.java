package dev.infero.onnx;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import java.util.List;

/** ONNX models ({@code .onnx}, or a protobuf that starts as a {@code ModelProto} does, with its IR version). */
public final class OnnxFrontend implements ModelFrontend {
    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public List<String> aliases() {
        return List.of();
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return false;
        }
        String name = source.fileName();
        if (name.endsWith(".onnx")) {
            return true;
        }
        if (name.endsWith(".pb") || name.endsWith(".pbtxt") || name.endsWith(".caffemodel") || name.endsWith(".params")
                || name.endsWith(".tflite") || name.endsWith(".xml") || name.endsWith(".json")) {
            return false;
        }
        byte[] head = source.head();
        // ModelProto's first field is ir_version (field 1, varint): tag byte 0x08, then a small version number.
        return head.length > 2 && head[0] == 0x08 && head[1] > 0 && head[1] < 32;
    }

    @Override
    public Graph read(ModelSource source) {
        return OnnxImporter.read(source.model());
    }
}
