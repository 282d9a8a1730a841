/**
 * {@code infero conformance}: runs ONNX backend-test cases ({@code model.onnx} with its test data sets) on a
 * device and compares the outputs with per-op tolerances, reporting as text, markdown or JSON.
 */
package dev.infero.cli.conformance;
