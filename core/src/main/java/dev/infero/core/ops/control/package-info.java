/**
 * Control flow: ops that carry subgraphs ({@link dev.infero.core.ops.control.Loop},
 * {@link dev.infero.core.ops.control.TensorIterator}, {@link dev.infero.core.ops.control.If}). Each keeps its bodies
 * as {@link dev.infero.core.ops.control.Body} values (a graph plus the port maps that say which outer value feeds
 * which body parameter, which body results are carried to the next iteration, sliced or concatenated), so passes and
 * the IR writer see the bodies as part of the op's identity. Bodies run by reference evaluation of their own graph
 * ({@code Body.run}); {@link dev.infero.core.ops.control.ControlFlowOps} registers the ops' declarations and builds
 * them from bodies for readers.
 */
package dev.infero.core.ops.control;
