/**
 * Post-training quantization, as OpenVINO's POT does it: the POT JSON configuration, calibration data and
 * activation statistics, DefaultQuantization (FakeQuantize insertion, range estimation, fast bias correction),
 * weight quantization, drift metrics and per-layer comparison of a quantized model with its original.
 */
package dev.infero.quantize;
