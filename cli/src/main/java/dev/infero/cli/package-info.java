/**
 * The {@code infero} command (picocli): {@code Main} registers one class per subcommand; the larger commands have
 * their own packages (benchmark, conformance, quantize, accuracy, report, faces, demo).
 */
package dev.infero.cli;
