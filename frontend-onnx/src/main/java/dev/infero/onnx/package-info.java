/**
 * The ONNX frontend and writer: {@code OnnxFrontend} reads {@code .onnx} models (including ONNX Runtime's
 * {@code com.microsoft} contrib operators) through {@code OnnxImporter}, which translates each node with the
 * translator {@code OnnxOpRegistry} holds for it; {@code OnnxExporter} writes a graph back as ONNX.
 */
package dev.infero.onnx;
