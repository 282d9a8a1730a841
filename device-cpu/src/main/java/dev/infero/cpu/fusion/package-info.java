/**
 * Fusion: patterns that recognise op chains ({@link dev.infero.cpu.fusion.ConvolutionFusion},
 * {@link dev.infero.cpu.fusion.MatMulFusion}, {@link dev.infero.cpu.fusion.TransposeFusion}, sibling convolutions of
 * one input run as one, {@link dev.infero.cpu.fusion.SiblingConvolutionFusion}, and the INT8 forms
 * {@code QuantizedConvolution} and {@code QuantizedMatMul} on the recognizers of {@code Int8Patterns}) and each
 * produce a {@link dev.infero.cpu.fusion.Fused} chain with the step that runs it; {@link dev.infero.cpu.fusion.Fusion}
 * offers every node to them and wires the INT8 steps together.
 */
package dev.infero.cpu.fusion;
