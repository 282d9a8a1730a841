/**
 * Plan steps: a {@link dev.infero.cpu.step.Step} is one node's or one fused chain's compiled work, chosen when the
 * plan is built for the step's shapes and shared by all requests. A step holds the math kernels it runs
 * ({@code cpu.kernels}, {@code cpu.jit}), says which in its exec type ({@code benchmark -pc}) and says what scratch
 * memory a request needs for it. Steps never call back into fusion.
 */
package dev.infero.cpu.step;
