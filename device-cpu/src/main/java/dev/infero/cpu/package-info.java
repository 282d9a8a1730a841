/**
 * The CPU device ({@code CPU}): {@link dev.infero.cpu.CpuDevice} compiles a graph into an {@code ExecutionPlan}
 * (fusion of op chains in {@code cpu.fusion}, a step per node or chain from {@code cpu.step}, a liveness-based memory
 * plan) and runs it on the workers of each stream. Math kernels are in {@code cpu.kernels}, generated x86-64 code in
 * {@code cpu.jit}.
 */
package dev.infero.cpu;
