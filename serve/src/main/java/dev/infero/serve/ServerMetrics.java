package dev.infero.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The server's Prometheus metrics (Micrometer), scraped at {@code GET /metrics}:
 *
 * <ul>
 *   <li>{@code infero_requests_total{protocol,model,version,status}}: requests by outcome (the HTTP status; gRPC calls
 *       count with the HTTP status of their code);</li>
 *   <li>{@code infero_request_duration_seconds{protocol,model,version}}: request latency histogram, from the first byte
 *       read to the response;</li>
 *   <li>{@code infero_inference_duration_seconds{model,version}}: time in the device per inference (a batch counts
 *       once);</li>
 *   <li>{@code infero_queue_depth{model,version}}: requests waiting for an infer request;
 *       {@code infero_requests_in_flight{model,version}}: waiting or running;</li>
 *   <li>the JVM's memory and thread metrics ({@code jvm_memory_used_bytes}, {@code jvm_threads_live_threads}).</li>
 * </ul>
 * Requests for unknown models count with empty model and version labels, so that clients cannot grow the label set.
 */
public final class ServerMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ServerMetrics() {
        // jvm_memory_used_bytes and friends: whether memory stays flat under load.
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    }

    /** Counts one finished request and records its latency. */
    public void request(String protocol, String model, String version, int status, long nanos) {
        String m = model == null ? "" : model;
        String v = version == null ? "" : version;
        Counter.builder("infero.requests").description("Requests by protocol, model, version and status")
                .tags("protocol", protocol, "model", m, "version", v, "status", Integer.toString(status))
                .register(registry).increment();
        Timer.builder("infero.request.duration").description("Request latency")
                .tags("protocol", protocol, "model", m, "version", v)
                .serviceLevelObjectives(BUCKETS)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Where the engine of a model version records the time of each inference. */
    LongConsumer inferenceTimer(String model, String version) {
        Timer timer = Timer.builder("infero.inference.duration").description("Inference time in the device")
                .tags("model", model, "version", version).serviceLevelObjectives(BUCKETS).register(registry);
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The engines loaded under one model/version label (a reload briefly has two: the new one and the old). */
    private static final class Loaded {
        volatile InferenceEngine engine;
        int count;
    }

    private final Map<String, Loaded> loaded = new HashMap<>();

    /** Gauges of a loaded model version's queue; they follow the latest engine loaded under the label. */
    synchronized void registerEngine(String model, String version, InferenceEngine engine) {
        String key = model + "\u0000" + version;
        Loaded l = loaded.get(key);
        if (l == null) {
            Loaded fresh = new Loaded();
            l = fresh;
            loaded.put(key, fresh);
            Gauge.builder("infero.queue.depth", () -> fresh.engine == null ? 0 : fresh.engine.queueDepth())
                    .description("Requests waiting for an infer request").tags("model", model, "version", version)
                    .register(registry);
            Gauge.builder("infero.requests.in.flight", () -> fresh.engine == null ? 0 : fresh.engine.inFlight())
                    .description("Requests waiting or running").tags("model", model, "version", version)
                    .register(registry);
        }
        l.engine = engine;
        l.count++;
    }

    /**
     * Removes the gauges and the inference timer of an unloaded version (request counts stay) once no engine is
     * loaded under its label any more.
     */
    synchronized void unregisterEngine(String model, String version, InferenceEngine engine) {
        String key = model + "\u0000" + version;
        Loaded l = loaded.get(key);
        if (l == null) {
            return;
        }
        if (--l.count > 0) {
            return;
        }
        loaded.remove(key);
        Tags tags = Tags.of("model", model, "version", version);
        for (String name : List.of("infero.queue.depth", "infero.requests.in.flight", "infero.inference.duration")) {
            for (Meter meter : registry.find(name).tags(tags).meters()) {
                registry.remove(meter);
            }
        }
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
