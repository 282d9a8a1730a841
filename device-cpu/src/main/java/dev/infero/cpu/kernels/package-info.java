/**
 * The CPU device's math kernels on the Vector API: convolutions in several layouts, GEMM, INT8 convolution and
 * MatMul, pooling windows and the post-ops fused into them. Each is property-tested against the reference
 * evaluation of the op it replaces.
 */
package dev.infero.cpu.kernels;
