/**
 * The TensorFlow Lite frontend: {@link dev.infero.tflite.TfliteFrontend} (registered as a
 * {@link dev.infero.core.frontend.ModelFrontend}) reads {@code .tflite} flatbuffers through the classes generated from
 * Infero's subset of TFLite's schema ({@code dev.infero.tflite.schema}), after bounds-checking the file;
 * {@link dev.infero.tflite.TfliteImporter} maps subgraph 0 onto Infero's opset, NHWC handled layout-aware, quantized
 * tensors as FakeQuantize and INT8 weights in OpenVINO's form.
 */
package dev.infero.tflite;
