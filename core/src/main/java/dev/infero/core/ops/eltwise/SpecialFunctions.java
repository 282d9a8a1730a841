package dev.infero.core.ops.eltwise;

/** Mathematical functions the JDK lacks, accurate to (nearly) double precision for the reference kernels. */
public final class SpecialFunctions {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    /** Below this |x| the Maclaurin series of erf converges fast; above it the continued fraction of erfc does. */
    private static final double SERIES_LIMIT = 3;
    private static final int FRACTION_TERMS = 60;

    private SpecialFunctions() {
    }

    /** The Gauss error function. */
    public static double erf(double x) {
        double a = Math.abs(x);
        if (Double.isNaN(x)) {
            return x;
        }
        if (a < SERIES_LIMIT) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x;
            double power = x; // (-1)^n x^(2n+1) / n!
            double sum = x;
            for (int n = 1; n < 200; n++) {
                power *= -x2 / n;
                double term = power / (2 * n + 1);
                sum += term;
                if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double result = a > 6 ? 1 : 1 - erfcContinuedFraction(a);
        return Math.copySign(result, x);
    }

    /** erfc(a) for a >= 3: exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated backwards. */
    private static double erfcContinuedFraction(double a) {
        double f = a;
        for (int k = FRACTION_TERMS; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return Math.exp(-a * a) / SQRT_PI / f;
    }
}
