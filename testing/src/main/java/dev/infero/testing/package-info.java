/**
 * Test support shared by every module's tests: {@link dev.infero.testing.SharedData} finds the shared models and
 * skips a test with a reason when they are absent, {@link dev.infero.testing.TensorAssert} compares tensors with
 * tolerances, {@link dev.infero.testing.RandomData} makes seeded inputs and {@link
 * dev.infero.testing.ReferenceRunner} runs a graph with the ops' reference evaluation (for modules that cannot depend
 * on a device), and {@link dev.infero.testing.IrXml} writes an OpenVINO IR pair layer by layer for tests of the IR
 * reader on files as other tools write them.
 */
package dev.infero.testing;
