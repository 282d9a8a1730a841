/**
 * Recurrent sequence ops of OpenVINO's opset 5 ({@link dev.infero.core.ops.recurrent.RNNSequence},
 * {@link dev.infero.core.ops.recurrent.GRUSequence}, {@link dev.infero.core.ops.recurrent.LSTMSequence}): one cell
 * applied along the time axis, per direction, with per-batch sequence lengths. What the three share (the declared
 * attributes, the input layout, the gate input x·W + h·R + b, clipping and the activation functions in
 * {@link dev.infero.core.ops.recurrent.RecurrentActivation}) lives in
 * {@link dev.infero.core.ops.recurrent.RecurrentSequence}; each op holds only its cell.
 */
package dev.infero.core.ops.recurrent;
