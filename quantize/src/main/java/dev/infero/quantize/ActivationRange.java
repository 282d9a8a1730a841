package dev.infero.quantize;

/**
 * The observed range of an activation tensor and the FakeQuantize interval (levels 256) chosen from it.
 *
 * <p>Symmetric ({@code performance}): a tensor that is never negative gets the unsigned interval [0, max]; otherwise
 * the signed one [−s, s·127/128] with s = max(|min|, |max|), so that zero is level 128 exactly (as NNCF does).
 * Asymmetric ({@code mixed}): [min, max] widened to contain zero and shifted slightly so that zero falls exactly on a
 * level (a zero point), so zero padding and ReLU zeros stay exact.
 */
public record ActivationRange(float min, float max) {
    public static final int LEVELS = 256;

    /** The smallest interval width used, so a constant tensor still gets a valid FakeQuantize. */
    private static final float MIN_WIDTH = 1e-6f;

    /** FakeQuantize {@code input_low/high} (= {@code output_low/high}) for this range. */
    public float[] interval(Preset preset) {
        if (preset == Preset.PERFORMANCE) {
            if (min >= 0) {
                return new float[] {0, Math.max(max, MIN_WIDTH)};
            }
            float s = Math.max(Math.max(-min, max), MIN_WIDTH);
            return new float[] {-s, s * 127 / 128};
        }
        float lo = Math.min(min, 0);
        float hi = Math.max(max, 0);
        if (hi - lo < MIN_WIDTH) {
            hi = lo + MIN_WIDTH;
        }
        float step = (hi - lo) / (LEVELS - 1);
        long zeroPoint = Math.round(-lo / step);
        float low = -zeroPoint * step;
        return new float[] {low, low + (LEVELS - 1) * step};
    }
}
