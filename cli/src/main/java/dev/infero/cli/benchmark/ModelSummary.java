package dev.infero.cli.benchmark;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.types.ElementType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the multi-model table shows about a model file: its weight precision and its size on disk. */
public record ModelSummary(String precision, long weightBytes) {

    public static ModelSummary of(Path file, Graph graph) {
        return new ModelSummary(precision(graph), weightBytes(file));
    }

    /**
     * INT8 when the model has quantized (8-bit integer) constants or FakeQuantize nodes, FP16 when its floating
     * weights are stored as f16, FP32 otherwise.
     */
    public static String precision(Graph graph) {
        boolean fp16 = false;
        for (Node n : graph.nodes()) {
            if (n.op() instanceof FakeQuantize) {
                return "INT8";
            }
            if (n.op() instanceof Constant c) {
                ElementType t = c.value().type();
                if ((t == ElementType.I8 || t == ElementType.U8) && c.value().size() > 1) {
                    return "INT8";
                }
                fp16 |= t == ElementType.F16;
            }
        }
        return fp16 ? "FP16" : "FP32";
    }

    /** The IR's .bin next to the .xml, or the model file itself (ONNX keeps weights inside). */
    public static long weightBytes(Path file) {
        String name = file.getFileName().toString();
        Path bin = name.toLowerCase(Locale.ROOT).endsWith(".xml")
                ? file.resolveSibling(name.substring(0, name.length() - 4) + ".bin") : file;
        try {
            return Files.exists(bin) ? Files.size(bin) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
