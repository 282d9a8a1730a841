/**
 * Sequences of tensors at run time (ONNX sequence ops whose positions, lengths or contents are only known when the
 * model runs: sequences carried through Loop iterations, graph inputs and outputs of sequence type). A sequence is
 * carried as two tensors ({@link dev.infero.core.ops.sequence.PackedSequence}): its items' elements one after the
 * other, and their shapes; the ops here are ordinary ops on those two tensors, with data-dependent output shapes, run
 * by reference evaluation. Sequences fixed at import never reach these ops (the ONNX frontend resolves them).
 */
package dev.infero.core.ops.sequence;
