/**
 * Quantization ops: FakeQuantize (OpenVINO's quantize-dequantize in one op, what the quantizer inserts) and
 * QuantizeLinear.
 */
package dev.infero.core.ops.quantization;
