/**
 * The frontend service interface: each model format (ONNX, OpenVINO IR, TensorFlow, TensorFlow Lite, Caffe, MXNet)
 * is a {@link dev.infero.core.frontend.ModelFrontend} in its own module, registered with {@link java.util.ServiceLoader}
 * and chosen per model by {@link dev.infero.core.frontend.Frontends} (by {@code --framework}, else by content).
 */
package dev.infero.core.frontend;
