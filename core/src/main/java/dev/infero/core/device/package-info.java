/**
 * The device service interface: a {@link dev.infero.core.device.Device} compiles a graph into an {@link
 * dev.infero.core.device.Executable} for an {@link dev.infero.core.device.ExecutionConfig} (streams, threads,
 * performance hint); requests run on its streams and report {@link dev.infero.core.device.ProfilingInfo} per layer.
 * The CPU device and ONNX Runtime device implement it in their own modules.
 */
package dev.infero.core.device;
