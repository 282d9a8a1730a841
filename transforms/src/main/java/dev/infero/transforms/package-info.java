/**
 * Device-independent graph rewriting: each {@link dev.infero.transforms.Pass} does one rewrite and reports what it
 * changed; {@link dev.infero.transforms.PassManager} runs them, and {@link dev.infero.transforms.Optimizations}
 * lists the standard pipeline (convert) and the compile-time one.
 */
package dev.infero.transforms;
