/**
 * Normalizations over axes: Softmax and LogSoftmax, MVN, LRN, NormalizeL2 and GroupNormalization.
 */
package dev.infero.core.ops.normalization;
