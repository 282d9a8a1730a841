/**
 * The runtime API, modelled on OpenVINO's: {@link dev.infero.api.Core} finds the frontends and devices and reads
 * and compiles models, {@link dev.infero.api.Model} is a read graph with named inputs and outputs,
 * {@link dev.infero.api.CompiledModel} is a model compiled for one device, and {@link dev.infero.api.InferRequest}
 * and {@link dev.infero.api.AsyncInferQueue} run it. {@code Core}, {@code CompiledModel} and {@code AsyncInferQueue}
 * are {@link java.lang.AutoCloseable}; using one after it is closed, or a request of a closed model, throws
 * {@link java.lang.IllegalStateException} naming the object.
 */
package dev.infero.api;
