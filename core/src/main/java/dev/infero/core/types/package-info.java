/**
 * Element types (including FP16, BF16 and the 8- and 4-bit floats of {@code MiniFloat}) and shapes: {@link
 * dev.infero.core.types.PartialShape} for shapes with dynamic dimensions, {@link dev.infero.core.types.Shapes} for
 * static-shape arithmetic.
 */
package dev.infero.core.types;
