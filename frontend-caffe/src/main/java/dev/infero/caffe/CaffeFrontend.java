package dev.infero.caffe;

import dev.infero.core.frontend.ModelFrontend;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;

/**
 * Caffe models: a {@code .caffemodel} with its {@code .prototxt} ({@code --input_proto}, else found beside it), or a
 * {@code .prototxt} with its {@code .caffemodel} beside it. Recognised by extension, and a binary {@code NetParameter}
 * by its name followed by a {@code layer} (field 100), legacy {@code layers} (field 2) or {@code input} tag.
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
        if (name.endsWith(".pb") || name.endsWith(".pbtxt")) {
            return false; // TensorFlow's names; a TensorFlow .pb may come with an --input_proto text graph too
        }
        if (source.proto() != null && source.proto().getFileName().toString().endsWith(".prototxt")) {
            return true;
        }
        return looksLikeNetParameter(source.head());
    }

    /**
     * A binary NetParameter: its optional name (field 1: tag 0x0A, length, printable text) followed by the first
     * {@code layer} (field 100, tag bytes 0xA2 0x06), V1 {@code layers} (field 2, tag 0x12) or {@code input} (field 3,
     * tag 0x1A).
     */
    static boolean looksLikeNetParameter(byte[] head) {
        int at = 0;
        if (head.length > 2 && head[0] == 0x0A) {
            int len = head[1];
            if (len <= 0 || 2 + len >= head.length) {
                return false;
            }
            for (int i = 2; i < 2 + len; i++) {
                if (head[i] < 0x20 || head[i] > 0x7E) {
                    return false;
                }
            }
            at = 2 + len;
        }
        if (at + 1 >= head.length) {
            return false;
        }
        int tag = head[at] & 0xFF;
        return (tag == 0xA2 && head[at + 1] == 0x06) || (at > 0 && (tag == 0x12 || tag == 0x1A));
    }

    @Override
    public Graph read(ModelSource source) {
        CaffeFiles files = CaffeFiles.locate(source.model(), source.proto());
        return CaffeImporter.read(files.prototxt(), files.caffemodel());
    }
}
