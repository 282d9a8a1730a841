/**
 * Reductions over axes given as an input (sum, mean, product, max, min, L1, L2) on one shared loop.
 */
package dev.infero.core.ops.reduce;
