/**
 * OpenVINO IR (v10 and v11): {@code IrReader} builds a graph from the {@code .xml} and {@code .bin} through the
 * op registry's factories, {@code IrWriter} writes one, and {@code IrIntegrity} writes both files durably.
 */
package dev.infero.ir;
