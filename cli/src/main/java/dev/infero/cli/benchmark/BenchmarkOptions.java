package dev.infero.cli.benchmark;

import dev.infero.core.device.PerformanceHint;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The validated settings of one {@code infero benchmark} run (see {@link BenchmarkCommand} for the option spellings).
 * Zero means "let the device choose" for {@code nireq}, {@code nthreads} and {@code batch}; {@code nstreams} is
 * {@code null} when not given; {@code iterations} / {@code durationSeconds} 0 means no such limit.
 */
record BenchmarkOptions(List<Path> models, String device, List<Path> inputFiles, int batch,
                        Map<String, PartialShape> shapes, Map<String, int[]> dataShapes, Map<String, String> layouts,
                        boolean async, long iterations, long durationSeconds, int nireq, String nstreams,
                        int nthreads, PerformanceHint hint, boolean perfCounters, ReportType reportType,
                        Path reportFolder, boolean jsonStats, Path execGraphPath, boolean progress,
                        int latencyPercentile, List<String> warnings) {

    /** The device properties these options ask for (hint, streams, threads, counters). */
    Map<String, String> deviceConfig() {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("PERFORMANCE_HINT", hint.name());
        if (nstreams != null) {
            config.put("NUM_STREAMS", nstreams);
        }
        if (nthreads > 0) {
            config.put("INFERENCE_NUM_THREADS", Integer.toString(nthreads));
        }
        if (perfCounters) {
            config.put("PERF_COUNT", "YES");
        }
        return config;
    }

    boolean writesReports() {
        return reportFolder != null || jsonStats;
    }
}
