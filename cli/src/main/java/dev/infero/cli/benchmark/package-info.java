/**
 * {@code infero benchmark}, OpenVINO's benchmark_app: the measurement loop, statistics, performance counters,
 * peer comparison with another device, and the CSV, JSON and HTML reports.
 */
package dev.infero.cli.benchmark;
