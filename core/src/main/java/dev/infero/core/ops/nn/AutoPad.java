package dev.infero.core.ops.nn;

import java.util.Locale;

/** How a windowed op (convolution, pooling) pads: explicitly, or derived from the input size. */
public enum AutoPad {
    EXPLICIT, SAME_UPPER, SAME_LOWER, VALID;

    public String irName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** ONNX's spelling ({@code NOTSET} = explicit pads). */
    public static AutoPad fromOnnx(String s) {
        return switch (s) {
            case "", "NOTSET" -> EXPLICIT;
            default -> valueOf(s);
        };
    }
}
