/**
 * StridedSlice, with its begin, end, new-axis, shrink-axis and ellipsis masks, and the index copy it runs on.
 */
package dev.infero.core.ops.slicing;
