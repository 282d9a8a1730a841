package dev.infero.quantize;

import java.nio.file.Path;

/**
 * A POT JSON configuration, validated: the model to quantize, where the calibration data is, and the
 * DefaultQuantization parameters.
 *
 * @param weights    the IR's {@code .bin}; {@code null} when the model is not an IR (an ONNX file)
 * @param sourceText the configuration as compact JSON (comments dropped), recorded in the quantized IR's metadata
 */
public record PotConfig(String modelName, Path model, Path weights, Path dataSource, String targetDevice,
                        QuantizationParameters parameters, String sourceText) {
}
