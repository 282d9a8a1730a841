/**
 * The model graph: a {@link dev.infero.core.graph.Graph} of {@link dev.infero.core.graph.Node}s, each an op
 * applied to input {@link dev.infero.core.graph.Value}s. Adding a node infers its output types and shapes at once and
 * folds it when all inputs are constant, so shape subgraphs disappear while a model is read.
 */
package dev.infero.core.graph;
