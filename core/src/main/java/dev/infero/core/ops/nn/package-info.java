/**
 * The neural-network layers: convolutions (and their backprop-data forms), pooling, MatMul and
 * BatchNormInference, with {@link dev.infero.core.ops.nn.WindowGeometry}, the sliding-window arithmetic they share.
 */
package dev.infero.core.ops.nn;
