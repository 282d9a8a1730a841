/**
 * Comparisons, logical and bitwise ops and the IsNaN/IsInf tests, producing booleans or integers with numpy
 * broadcasting.
 */
package dev.infero.core.ops.logical;
