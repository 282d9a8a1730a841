/**
 * The optional {@code ORT} device: ONNX Runtime behind Infero's device interface, for peer benchmarks
 * ({@code benchmark --compare-with ORT}) and reference outputs.
 */
package dev.infero.ort;
