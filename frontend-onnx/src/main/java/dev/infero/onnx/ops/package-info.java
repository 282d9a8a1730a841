/**
 * ONNX operator translators by family: each {@code *Ops} class registers, in the map it is given, a translator
 * per operator that builds core ops through {@code OnnxNode}.
 */
package dev.infero.onnx.ops;
