package dev.infero.vision;

import dev.infero.api.Model;
import java.util.Map;

/**
 * How a model wants its RGB pixel values. MediaPipe's BlazeFace and FaceMesh take {@code [-1, 1]}; a model
 * converted with {@code --mean_values}/{@code --scale_values} (preprocessing embedded in the graph) takes raw
 * {@code 0..255}.
 */
public enum InputRange {
    /** {@code (v - 127.5) / 127.5}. */
    MINUS_ONE_TO_ONE(127.5f, 1 / 127.5f),
    /** {@code v / 255}. */
    ZERO_TO_ONE(0, 1 / 255f),
    /** {@code v} as is, for models with embedded preprocessing. */
    RAW(0, 1);

    private final float offset;
    private final float factor;

    InputRange(float offset, float factor) {
        this.offset = offset;
        this.factor = factor;
    }

    /** The model input value of an 8-bit channel value. */
    public float apply(float v) {
        return (v - offset) * factor;
    }

    /**
     * {@link #RAW} when {@code model} records that convert embedded mean or scale values in it (the IR's
     * {@code conversion_parameters}, kept through quantization), else {@code fallback}.
     */
    public static InputRange detect(Model model, InputRange fallback) {
        Map<String, String> m = model.graph().metadata();
        String p = "conversion_parameters/";
        boolean embedded = m.containsKey(p + "mean_values") || m.containsKey(p + "scale_values")
                || m.containsKey(p + "scale");
        return embedded ? RAW : fallback;
    }
}
