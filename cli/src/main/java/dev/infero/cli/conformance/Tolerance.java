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
    private static final Map<String, Tolerance> OVERRIDES = Map.of(
            // An inverse DFT of a forward DFT: outputs that are mathematically zero hold the reference's float32
            // round-off (up to 2e-7); a correct evaluation in another order lands closer to zero. The issue's
            // atol of 1e-5 covers it; 1e-6 is enough.
            "test_dft_inverse", new Tolerance(1e-3, 1e-6),
            "test_dft_inverse_opset19", new Tolerance(1e-3, 1e-6));

    /** The tolerance for a case: its override if it has one, otherwise {@code base}. */
    public static Tolerance forCase(String caseName, Tolerance base) {
        return OVERRIDES.getOrDefault(caseName, base);
    }
}
