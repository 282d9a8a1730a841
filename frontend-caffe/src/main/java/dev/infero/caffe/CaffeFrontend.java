package dev.infero.caffe;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;

/**
 * Caffe models: a {@code .caffemodel} with its {@code .prototxt} ({@code --input_proto}, else found beside it), or a
 * {@code .prototxt} with its {@code .caffemodel} beside it. Recognised by extension, and a binary {@code NetParameter}
 * by its leading {@code layer} (field 100) or legacy {@code layers} (field 2) tag.
 */
public final class CaffeFrontend implements ModelFrontend {
    @Override
    public String name() {
        return "caffe";
    }

    @Override
    public boolean accepts(ModelSource source) {
        if (source.isDirectory()) {
            return false;
        }
        String name = source.fileName();
        if (name.endsWith(".caffemodel") || name.endsWith(".prototxt")) {
            return true;
        }
        if (source.proto() != null) {
            return true;
        }
        byte[] head = source.head();
        // NetParameter.layer is field 100 (tag varint 0xA2 0x06); V1 models start with layers (field 2, tag 0x12).
        return head.length > 2 && (head[0] & 0xFF) == 0xA2 && head[1] == 0x06;
    }

    @Override
    public Graph read(ModelSource source) {
        CaffeFiles files = CaffeFiles.locate(source.model(), source.proto());
        return CaffeImporter.read(files.prototxt(), files.caffemodel());
    }
}
