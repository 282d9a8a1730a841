/**
 * {@code infero report} and the {@code --report FILE.html} of {@code benchmark}, {@code compare}, {@code quantize}
 * and {@code demo}: {@link dev.infero.cli.report.ReportData} (what was measured),
 * {@link dev.infero.cli.report.Measurements} (measuring it with the benchmark and compare machinery),
 * {@link dev.infero.cli.report.HtmlReport} (one self-contained page) and {@link dev.infero.cli.report.Svg} (every
 * chart).
 */
package dev.infero.cli.report;
