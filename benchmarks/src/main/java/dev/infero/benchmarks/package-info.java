/**
 * JMH benchmarks of the kernels and of whole layers ({@code benchmarks/run.sh NAME}); speed is measured here,
 * never in unit tests.
 */
package dev.infero.benchmarks;
