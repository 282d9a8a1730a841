/**
 * Classical machine-learning ops (ONNX {@code ai.onnx.ml}) on numeric tensors: tree ensembles, registered by
 * {@code MlOpSet}.
 */
package dev.infero.core.ops.ml;
