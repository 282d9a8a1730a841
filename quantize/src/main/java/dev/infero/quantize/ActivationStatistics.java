package dev.infero.quantize;

import dev.infero.core.tensor.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the FP32 model over the calibration samples and estimates each tapped tensor's range. */
final class ActivationStatistics {
    private ActivationStatistics() {
    }

    static Map<TensorId, ActivationRange> collect(TappedModel model, List<TensorId> taps, List<Tensor> samples,
                                                  RangeEstimator estimator, PrintStream log) {
        int n = taps.size();
        double[] low = new double[n];
        double[] high = new double[n];
        boolean quantile = estimator.kind() == RangeEstimator.Kind.QUANTILE;
        if (!quantile) {
            Arrays.fill(low, Double.POSITIVE_INFINITY);
            Arrays.fill(high, Double.NEGATIVE_INFINITY);
        }
        ProgressBar bar = new ProgressBar("Collecting statistics  ", samples.size(), log);
        for (Tensor sample : samples) {
            Tensor[] values = model.run(sample);
            for (int t = 0; t < n; t++) {
                float[] v = values[t].toFloatArray();
                int size = values[t].size();
                if (quantile) {
                    float[] sorted = Arrays.copyOf(v, size);
                    Arrays.sort(sorted);
                    low[t] += sorted[(int) Math.floor(estimator.outlierProb() * (size - 1))];
                    high[t] += sorted[(int) Math.ceil((1 - estimator.outlierProb()) * (size - 1))];
                } else {
                    for (int i = 0; i < size; i++) {
                        low[t] = Math.min(low[t], v[i]);
                        high[t] = Math.max(high[t], v[i]);
                    }
                }
            }
            bar.step();
        }
        bar.finish();
        Map<TensorId, ActivationRange> ranges = new LinkedHashMap<>();
        for (int t = 0; t < n; t++) {
            double scale = quantile ? 1.0 / samples.size() : 1;
            ranges.put(taps.get(t), new ActivationRange((float) (low[t] * scale), (float) (high[t] * scale)));
        }
        return ranges;
    }
}
