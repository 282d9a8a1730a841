package dev.infero.quantize;

/**
 * How an activation's quantization range is taken from the calibration statistics.
 *
 * <p>{@code MIN_MAX}: the smallest and largest value seen on any sample. {@code QUANTILE}: on each sample the
 * {@code outlierProb} and {@code 1 - outlierProb} quantiles, averaged over the samples (POT's {@code quantile}
 * range-estimator preset), so rare outliers do not stretch the range and coarsen every other value.
 */
public record RangeEstimator(Kind kind, double outlierProb) {
    public enum Kind { MIN_MAX, QUANTILE }

    public static final RangeEstimator MIN_MAX = new RangeEstimator(Kind.MIN_MAX, 0);
    public static final RangeEstimator QUANTILE = new RangeEstimator(Kind.QUANTILE, 1e-4);
}
