/**
 * Ops that select or scatter by index or value: TopK, ArgMax/ArgMin, CumSum, gathers and scatters, OneHot,
 * NonZero, NonMaxSuppression and Trilu; {@code SelectionOpSet} also registers the image and quantization ops.
 */
package dev.infero.core.ops.selection;
