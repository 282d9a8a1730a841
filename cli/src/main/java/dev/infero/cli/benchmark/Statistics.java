package dev.infero.cli.benchmark;

import java.util.Arrays;

/**
 * The final numbers of a benchmark run, computed as OpenVINO's benchmark_app does: the warm-up inference is not part
 * of the latencies; the latency percentile is {@code sorted[floor(n * p / 100)]} (the median for p = 50); throughput
 * is {@code 1000 * frames / duration_ms} with {@code frames = iterations * batch}.
 *
 * @param count      measured inferences
 * @param durationMs wall time from the first measured start to the last completion
 * @param percentile which latency percentile {@link #latencyMs} is (50 = median)
 */
public record Statistics(int count, double durationMs, int percentile, double latencyMs, double averageMs,
                         double minMs, double maxMs, double throughputFps) {

    /** Statistics of {@code latenciesNanos} (any order) over a run of {@code durationNanos}, {@code batch} frames each. */
    public static Statistics of(long[] latenciesNanos, long durationNanos, int batch, int percentile) {
        if (latenciesNanos.length == 0) {
            throw new IllegalArgumentException("no inference was measured");
        }
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long l : sorted) {
            sum += l;
        }
        int n = sorted.length;
        double durationMs = durationNanos / 1e6;
        return new Statistics(n, durationMs, percentile, percentileOf(sorted, percentile) / 1e6, sum / n / 1e6,
                sorted[0] / 1e6, sorted[n - 1] / 1e6, 1000.0 * n * batch / durationMs);
    }

    /** {@code sorted[floor(n * p / 100)]}, clamped to the last element for p = 100. */
    static long percentileOf(long[] sorted, int p) {
        int index = (int) Math.floor(sorted.length * (p / 100.0));
        return sorted[Math.min(index, sorted.length - 1)];
    }

    /** "Median" or "90 percentile", as benchmark_app labels the latency line. */
    public String latencyLabel() {
        return percentile == 50 ? "Median" : percentile + " percentile";
    }
}
