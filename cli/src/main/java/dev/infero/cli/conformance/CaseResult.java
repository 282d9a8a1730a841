package dev.infero.cli.conformance;

/**
 * The result of one conformance case.
 *
 * @param name   the case folder's name, e.g. {@code test_conv_with_strides_padding}
 * @param op     the table row it counts under, e.g. {@code Conv} or {@code Softmax (expanded)}
 * @param reason why it failed or is unsupported; empty when it passed
 * @param millis wall time of the case
 */
public record CaseResult(String name, String op, Outcome outcome, String reason, long millis) {
}
