/**
 * Element-wise arithmetic and math with numpy broadcasting (binary and unary bases), Convert and BitCast; {@code
 * ElementwiseOpSet} registers these and the activation and logical ops.
 */
package dev.infero.core.ops.eltwise;
