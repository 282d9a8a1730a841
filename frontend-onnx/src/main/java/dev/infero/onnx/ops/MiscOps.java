package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.misc.GridSample;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;

/** Grid sampling, Fourier transforms and windows, sequence and linear-algebra ops. */
public final class MiscOps {
    private MiscOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("GridSample", MiscOps::gridSample);
    }

    /** GridSample-16 names modes bilinear/bicubic, GridSample-20 linear/cubic (and allows N-D images). */
    private static List<Value> gridSample(OnnxNode n) {
        String mode = switch (n.attrString("mode", n.opset() < 20 ? "bilinear" : "linear")) {
            case "linear", "bilinear" -> "bilinear";
            case "cubic", "bicubic" -> "bicubic";
            case "nearest" -> "nearest";
            default -> throw n.error("unknown mode '" + n.attrString("mode", "") + "'");
        };
        String padding = n.attrString("padding_mode", "zeros");
        if (!List.of("zeros", "border", "reflection").contains(padding)) {
            throw n.error("unknown padding_mode '" + padding + "'");
        }
        return List.of(n.add(new GridSample(n.attrInt("align_corners", 0) != 0, mode, padding), n.requireInput(0),
                n.requireInput(1)));
    }
}
