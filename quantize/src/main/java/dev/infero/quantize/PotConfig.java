package dev.infero.quantize;

import java.nio.file.Path;

/**
 * A POT JSON configuration, validated: the model to quantize, where the calibration data is, and the algorithm's
 * parameters.
 *
 * @param weights        the IR's {@code .bin}; {@code null} when the model is not an IR (an ONNX file)
 * @param dataSource     the calibration folder of the {@code simplified} engine; {@code null} with the
 *                       {@code accuracy_checker} engine, whose dataset is described by {@code accuracyConfig}
 * @param sourceText     the configuration as compact JSON (comments dropped), recorded in the quantized IR's metadata
 * @param algorithm      {@code DefaultQuantization} or {@code AccuracyAwareQuantization}
 * @param accuracyConfig the Accuracy Checker YAML of the {@code accuracy_checker} engine ({@code engine.config}),
 *                       else {@code null}
 * @param accuracyAware  the AccuracyAwareQuantization parameters, {@code null} for DefaultQuantization
 */
public record PotConfig(String modelName, Path model, Path weights, Path dataSource, String targetDevice,
                        QuantizationParameters parameters, String sourceText, String algorithm, Path accuracyConfig,
                        AccuracyAwareParameters accuracyAware) {
    /** A DefaultQuantization configuration with the {@code simplified} engine. */
    public PotConfig(String modelName, Path model, Path weights, Path dataSource, String targetDevice,
                     QuantizationParameters parameters, String sourceText) {
        this(modelName, model, weights, dataSource, targetDevice, parameters, sourceText, "DefaultQuantization",
                null, null);
    }

    public boolean isAccuracyAware() {
        return accuracyAware != null;
    }
}
