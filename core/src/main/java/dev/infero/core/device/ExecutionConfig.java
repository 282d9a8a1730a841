package dev.infero.core.device;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The execution settings of a compiled model, resolved from the string properties given to
 * {@code Core.compileModel} (OpenVINO's keys) and the number of cores:
 *
 * <ul>
 *   <li>{@code PERFORMANCE_HINT}: {@code LATENCY} (default) → 1 stream with all threads; {@code THROUGHPUT} → one
 *       stream per thread; {@code NONE} → {@code NUM_STREAMS} (default 1).</li>
 *   <li>{@code NUM_STREAMS}: a number or {@code AUTO} (the throughput choice); an explicit number wins over the hint.</li>
 *   <li>{@code INFERENCE_NUM_THREADS}: threads shared by all streams (default: every core); each stream gets
 *       {@link #threadsPerStream()} of them, at least one.</li>
 *   <li>{@code PERFORMANCE_HINT_NUM_REQUESTS}: caps {@link #optimalRequests()} (memory-bound applications).</li>
 *   <li>{@code PERF_COUNT}: {@code YES}/{@code NO} (or true/false), per-layer counters on new requests.</li>
 *   <li>{@code CPU_RUNTIME_CACHE_CAPACITY}: how many plans compiled for concrete input shapes a model with dynamic
 *       input dimensions keeps (default 8; 0 runs such models on reference kernels with shapes inferred per run).</li>
 * </ul>
 *
 * Unknown keys are rejected rather than ignored, so that a misspelt setting does not silently do nothing.
 */
public record ExecutionConfig(PerformanceHint hint, int streams, int threads, int optimalRequests, boolean perfCount,
                              int shapeCacheCapacity) {
    public static final String PERFORMANCE_HINT = "PERFORMANCE_HINT";
    public static final String NUM_STREAMS = "NUM_STREAMS";
    public static final String INFERENCE_NUM_THREADS = "INFERENCE_NUM_THREADS";
    public static final String PERFORMANCE_HINT_NUM_REQUESTS = "PERFORMANCE_HINT_NUM_REQUESTS";
    public static final String PERF_COUNT = "PERF_COUNT";
    public static final String CPU_RUNTIME_CACHE_CAPACITY = "CPU_RUNTIME_CACHE_CAPACITY";
    public static final List<String> KEYS = List.of(PERFORMANCE_HINT, NUM_STREAMS, INFERENCE_NUM_THREADS,
            PERFORMANCE_HINT_NUM_REQUESTS, PERF_COUNT, CPU_RUNTIME_CACHE_CAPACITY);

    /** Resolves {@code config} for a machine with {@code cores} available processors. */
    public static ExecutionConfig resolve(Map<String, String> config, int cores) {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InferoException("unsupported property '" + key + "'; supported: " + String.join(", ", KEYS));
            }
        }
        PerformanceHint hint = PerformanceHint.parse(config.getOrDefault(PERFORMANCE_HINT, "LATENCY"));
        int threads = config.containsKey(INFERENCE_NUM_THREADS) ? positive(config, INFERENCE_NUM_THREADS) : cores;
        checkThreads(INFERENCE_NUM_THREADS, threads, cores);
        String streamsText = config.getOrDefault(NUM_STREAMS, "").trim();
        int streams;
        if (streamsText.isEmpty()) {
            streams = hint == PerformanceHint.THROUGHPUT ? threads : 1;
        } else if (streamsText.equalsIgnoreCase("AUTO")) {
            streams = threads;
        } else {
            streams = positive(config, NUM_STREAMS);
            checkThreads(NUM_STREAMS, streams, cores);
        }
        int requests = streams;
        if (config.containsKey(PERFORMANCE_HINT_NUM_REQUESTS)) {
            requests = Math.min(requests, positive(config, PERFORMANCE_HINT_NUM_REQUESTS));
        }
        boolean perfCount = switch (config.getOrDefault(PERF_COUNT, "NO").trim().toUpperCase(Locale.ROOT)) {
            case "YES", "TRUE" -> true;
            case "NO", "FALSE" -> false;
            default -> throw new InferoException("PERF_COUNT must be YES or NO, got '" + config.get(PERF_COUNT) + "'");
        };
        int shapeCache = config.containsKey(CPU_RUNTIME_CACHE_CAPACITY)
                ? nonNegative(config, CPU_RUNTIME_CACHE_CAPACITY) : 8;
        return new ExecutionConfig(hint, streams, Math.max(threads, streams), requests, perfCount, shapeCache);
    }

    /**
     * Most threads (or streams, each of which is at least one thread) a model may ask for per available core: far
     * beyond any speed-up, and a typo such as {@code -nthreads 100000} would otherwise start that many threads.
     */
    public static final int MAX_THREADS_PER_CORE = 16;

    /**
     * The one range check of thread and stream counts, for this class and every tool's option: throws a
     * {@link ResourceLimitException} naming {@code option} when {@code value} exceeds {@link #MAX_THREADS_PER_CORE}
     * per core.
     */
    public static void checkThreads(String option, long value, int cores) {
        long max = (long) MAX_THREADS_PER_CORE * Math.max(1, cores);
        if (value > max) {
            throw new ResourceLimitException(option + " is " + value + ", more than " + MAX_THREADS_PER_CORE
                    + " per core (" + max + " on this machine's " + cores + " core" + (cores == 1 ? "" : "s") + ")");
        }
    }

    /** Threads each stream may use for one inference (intra-op parallelism); at least 1. */
    public int threadsPerStream() {
        return Math.max(1, threads / streams);
    }

    /** The settings as OpenVINO-named read-only properties of a compiled model. */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("OPTIMAL_NUMBER_OF_INFER_REQUESTS", Integer.toString(optimalRequests));
        p.put(NUM_STREAMS, Integer.toString(streams));
        p.put(INFERENCE_NUM_THREADS, Integer.toString(threads));
        p.put("THREADS_PER_STREAM", Integer.toString(threadsPerStream()));
        p.put(PERFORMANCE_HINT, hint.name());
        p.put(PERF_COUNT, perfCount ? "YES" : "NO");
        return p;
    }

    private static int nonNegative(Map<String, String> config, String key) {
        String text = config.get(key).trim();
        try {
            int v = Integer.parseInt(text);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InferoException(key + " must be a non-negative integer, got '" + text + "'");
    }

    private static int positive(Map<String, String> config, String key) {
        String text = config.get(key).trim();
        try {
            int v = Integer.parseInt(text);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InferoException(key + " must be a positive integer, got '" + text + "'");
    }
}
