/**
 * Data movement without arithmetic: reshaping, transposing, concatenating, splitting, tiling, padding, slicing
 * and broadcasting, plus ShapeOf and Range; registered by {@code MovementOpSet}.
 */
package dev.infero.core.ops.movement;
