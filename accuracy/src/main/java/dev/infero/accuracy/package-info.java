/**
 * Accuracy of models on annotated datasets, as OpenVINO's Accuracy Checker measures it (its YAML configuration:
 * {@link dev.infero.accuracy.AccuracyConfig}; annotation converters, preprocessing, adapters, metrics), and
 * accuracy-aware INT8 quantization ({@link dev.infero.accuracy.AccuracyAwareQuantization}) that keeps the layers
 * which hurt accuracy most in floating point until the drop fits a budget.
 */
package dev.infero.accuracy;
