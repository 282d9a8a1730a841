package dev.infero.quantize;

import dev.infero.core.tensor.Tensor;

/**
 * How far a tensor of a model under test ({@code actual}) drifts from the reference's ({@code expected}),
 * accumulated over samples: max and mean absolute error, max relative error, cosine similarity, SQNR and — for
 * outputs that look like class scores — top-1 agreement.
 *
 * <p>Relative error is {@code |a − e| / max(|e|, floor)} with the floor 1e-3 of the largest |e| seen in that sample,
 * so values near zero (where any error is "infinitely" relative) do not dominate. SQNR is
 * {@code 10·log10(Σe² / Σ(a − e)²)} dB; identical tensors give +∞.
 */
public final class DriftMetrics {
    private static final double RELATIVE_FLOOR = 1e-3;

    private long count;
    private double maxAbs;
    private double sumAbs;
    private double maxRel;
    private double dot;
    private double sumExpected2;
    private double sumActual2;
    private double sumError2;
    private int samples;
    private int top1Agree;
    private boolean classScores;

    /** Metrics of a tensor; top-1 agreement is counted only if {@code mayBeClassScores} and its shape fits. */
    public DriftMetrics(boolean mayBeClassScores) {
        this.classScores = mayBeClassScores;
    }

    public DriftMetrics() {
        this(true);
    }

    /** Adds one sample's pair of tensors (same number of elements). */
    public void add(Tensor expected, Tensor actual) {
        if (expected.size() != actual.size()) {
            throw new IllegalArgumentException("tensors differ in size: " + expected.size() + " vs " + actual.size());
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        int n = expected.size();
        double peak = 0;
        for (int i = 0; i < n; i++) {
            peak = Math.max(peak, Math.abs(e[i]));
        }
        double floor = Math.max(peak * RELATIVE_FLOOR, Double.MIN_NORMAL);
        for (int i = 0; i < n; i++) {
            double d = (double) a[i] - e[i];
            double abs = Math.abs(d);
            maxAbs = Math.max(maxAbs, abs);
            sumAbs += abs;
            maxRel = Math.max(maxRel, abs / Math.max(Math.abs(e[i]), floor));
            dot += (double) a[i] * e[i];
            sumExpected2 += (double) e[i] * e[i];
            sumActual2 += (double) a[i] * a[i];
            sumError2 += d * d;
        }
        count += n;
        samples++;
        classScores &= looksLikeClassScores(expected.shape());
        if (classScores && argmax(e, n) == argmax(a, n)) {
            top1Agree++;
        }
    }

    /** One row of class scores: [C], [1, C] or [1, C, 1, 1] with at least two classes. */
    static boolean looksLikeClassScores(int[] shape) {
        return switch (shape.length) {
            case 1 -> shape[0] >= 2;
            case 2 -> shape[0] == 1 && shape[1] >= 2;
            case 4 -> shape[0] == 1 && shape[1] >= 2 && shape[2] == 1 && shape[3] == 1;
            default -> false;
        };
    }

    private static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public long count() {
        return count;
    }

    public double maxAbsError() {
        return maxAbs;
    }

    public double meanAbsError() {
        return count == 0 ? 0 : sumAbs / count;
    }

    public double maxRelError() {
        return maxRel;
    }

    /** Cosine similarity of all samples' elements taken as one vector; 1 when both are all zero. */
    public double cosine() {
        if (sumExpected2 == 0 || sumActual2 == 0) {
            return sumExpected2 == sumActual2 ? 1 : 0;
        }
        return dot / Math.sqrt(sumExpected2 * sumActual2);
    }

    /** Signal-to-quantization-noise ratio in dB; +∞ when there is no error. */
    public double sqnrDb() {
        if (sumError2 == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(sumExpected2 / sumError2);
    }

    /** Fraction of samples whose argmax agrees, or NaN when the tensor does not look like class scores. */
    public double top1Agreement() {
        return classScores && samples > 0 ? (double) top1Agree / samples : Double.NaN;
    }

    public int samples() {
        return samples;
    }
}
