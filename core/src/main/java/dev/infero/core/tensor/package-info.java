/**
 * {@link dev.infero.core.tensor.Tensor}: a dense, row-major buffer (an element type, a shape and a primitive array,
 * reusable across tensors of the same storage), the conversions between raw bytes and tensors, and the Vector API
 * lane helpers kernels use.
 */
package dev.infero.core.tensor;
