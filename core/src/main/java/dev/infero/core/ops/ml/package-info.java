/**
 * Classical machine-learning ops on numeric tensors: tree ensembles (ONNX {@code ai.onnx.ml}) and n-gram counts of
 * token ids (TfIdfVectorizer), registered by {@code MlOpSet}.
 */
package dev.infero.core.ops.ml;
