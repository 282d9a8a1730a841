/**
 * The ops, one class each, grouped by family in the sub-packages; this package holds the graph's boundary ops
 * ({@link dev.infero.core.ops.Parameter}, {@link dev.infero.core.ops.Constant}, {@link dev.infero.core.ops.Result}).
 * Each op owns its typed attributes and accessors (which passes, devices and writers read, never its textual
 * form), shape inference and a reference evaluation that makes it run everywhere.
 */
package dev.infero.core.ops;
