package dev.infero.quantize;

import java.util.List;

/**
 * What DefaultQuantization does (the {@code params} of POT's algorithm entry).
 *
 * @param statSubsetSize    how many calibration samples to use; 0 = all of them
 * @param shuffleData       pick the subset at random (with {@code seed}) rather than the first files in name order
 * @param ignoredScope      node names left in floating point
 * @param ignoredOperations op types (OpenVINO names such as {@code MatMul}) left in floating point
 * @param fastBiasCorrection shift each quantized layer's bias so its mean output matches FP32
 */
public record QuantizationParameters(Preset preset, int statSubsetSize, boolean shuffleData, long seed,
                                     List<String> ignoredScope, List<String> ignoredOperations,
                                     RangeEstimator rangeEstimator, boolean fastBiasCorrection) {
    /** POT's defaults: performance preset, 300 samples, no shuffling, min/max ranges, fast bias correction. */
    public static QuantizationParameters defaults() {
        return new QuantizationParameters(Preset.PERFORMANCE, 300, false, 0, List.of(), List.of(),
                RangeEstimator.MIN_MAX, true);
    }

    public QuantizationParameters withPreset(Preset p) {
        return new QuantizationParameters(p, statSubsetSize, shuffleData, seed, ignoredScope, ignoredOperations,
                rangeEstimator, fastBiasCorrection);
    }

    public QuantizationParameters withStatSubsetSize(int n) {
        return new QuantizationParameters(preset, n, shuffleData, seed, ignoredScope, ignoredOperations,
                rangeEstimator, fastBiasCorrection);
    }

    public QuantizationParameters withRangeEstimator(RangeEstimator r) {
        return new QuantizationParameters(preset, statSubsetSize, shuffleData, seed, ignoredScope, ignoredOperations,
                r, fastBiasCorrection);
    }

    public QuantizationParameters withFastBiasCorrection(boolean on) {
        return new QuantizationParameters(preset, statSubsetSize, shuffleData, seed, ignoredScope, ignoredOperations,
                rangeEstimator, on);
    }

    public QuantizationParameters withShuffle(boolean shuffle, long seed) {
        return new QuantizationParameters(preset, statSubsetSize, shuffle, seed, ignoredScope, ignoredOperations,
                rangeEstimator, fastBiasCorrection);
    }

    public QuantizationParameters withIgnored(List<String> scope, List<String> operations) {
        return new QuantizationParameters(preset, statSubsetSize, shuffleData, seed, List.copyOf(scope),
                List.copyOf(operations), rangeEstimator, fastBiasCorrection);
    }
}
