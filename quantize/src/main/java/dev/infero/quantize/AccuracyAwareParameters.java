package dev.infero.quantize;

/**
 * The parameters of POT's AccuracyAwareQuantization beyond those of its base algorithm (DefaultQuantization).
 *
 * @param maximalDrop           the allowed metric drop, as a fraction (0.01 = one percentage point when absolute)
 * @param relative              {@code drop_type: relative}: the drop is {@code (fp32 − int8) / fp32}; otherwise
 *                              {@code fp32 − int8}
 * @param rankingSubsetSize     samples on which layers are ranked (the ones INT8 gets most wrong)
 * @param maxIterNum            most layers groups to revert; 0 = as many as there are
 * @param usePrevIfDropIncrease undo a revert that made the drop larger
 * @param metricSubsetRatio     the part of the evaluation set searched for the samples INT8 gets most wrong
 */
public record AccuracyAwareParameters(double maximalDrop, boolean relative, int rankingSubsetSize, int maxIterNum,
                                      boolean usePrevIfDropIncrease, double metricSubsetRatio) {
    /** POT's defaults: 0.01 absolute, 300 ranking samples, no iteration limit, undo reverts that hurt, ratio 0.5. */
    public static AccuracyAwareParameters defaults() {
        return new AccuracyAwareParameters(0.01, false, 300, 0, true, 0.5);
    }

    /** The drop from {@code fp32} to {@code quantized}, as this configuration measures it. */
    public double drop(double fp32, double quantized) {
        double d = fp32 - quantized;
        return relative ? (fp32 == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : d / Math.abs(fp32)) : d;
    }

    public AccuracyAwareParameters withMaximalDrop(double drop) {
        return new AccuracyAwareParameters(drop, relative, rankingSubsetSize, maxIterNum, usePrevIfDropIncrease,
                metricSubsetRatio);
    }
}
