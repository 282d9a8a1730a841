package dev.infero.cli.conformance;

import java.util.Map;

/**
 * Allowed difference between a floating-point output and its reference: {@code |actual - expected| <= atol + rtol *
 * |expected|}, as {@code numpy.testing.assert_allclose}. The defaults are those of the ONNX backend test runner
 * ({@code onnx/backend/test/loader}: rtol 1e-3, atol 1e-7).
 */
public record Tolerance(double rtol, double atol) {
    public static final Tolerance ONNX_RUNNER = new Tolerance(1e-3, 1e-7);

    /**
     * Cases that provably need a looser bound than the runner's, with the reason. Add an entry only with an argument
     * that the reference itself is imprecise (e.g. computed in float64 and rounded, where float32 evaluation in any
     * correct order differs by more), never to hide a wrong kernel.
     */
    private static final Map<String, Tolerance> OVERRIDES = Map.of();

    /** The tolerance for a case: its override if it has one, otherwise {@code base}. */
    public static Tolerance forCase(String caseName, Tolerance base) {
        return OVERRIDES.getOrDefault(caseName, base);
    }
}
