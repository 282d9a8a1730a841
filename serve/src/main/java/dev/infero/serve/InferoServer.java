package dev.infero.serve;

import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.serve.grpc.GrpcInferenceService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The model server: models from a {@link ModelManager}, the KServe v2 REST API on Helidon SE's web server
 * ({@link RestApi}), the KServe v2 gRPC service on grpc-java ({@link GrpcInferenceService}), Prometheus metrics and the
 * access log.
 *
 * <pre>{@code
 * try (var server = InferoServer.start(List.of(ModelConfig.of("face", Path.of("blazeface.onnx"))),
 *         ServeOptions.defaults().withPorts(0, 0))) {
 *     var client = new InferoClient(URI.create("http://127.0.0.1:" + server.restPort()));
 *     ...
 * }
 * }</pre>
 *
 * {@link #close()} shuts down gracefully: readiness turns false and new requests get 503 / UNAVAILABLE, requests in
 * flight finish (up to the grace period), then the listeners stop and the models are unloaded.
 */
public final class InferoServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferoServer.class.getName());

    /** The server's name and version in {@code GET /v2} and ServerMetadata. */
    public static final String NAME = "infero";
    /** The protocol extensions the server implements. */
    public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "model_repository_polling");

    private final ServeOptions options;
    private final Core core = new Core();
    private final ModelManager models;
    private final ServerMetrics metrics = new ServerMetrics();
    private final AccessLog accessLog;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger active = new AtomicInteger();
    private final ScheduledExecutorService poller;
    private final ExecutorService grpcExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private WebServer rest;
    private Server grpc;
    private volatile boolean ready;
    private long loadNanos;
    private long listenNanos;

    private InferoServer(ServeOptions options, Path configFile, List<ModelConfig> fixed) {
        this.options = options;
        this.models = configFile != null ? ModelManager.fromConfig(core, configFile, options, metrics)
                : ModelManager.of(core, fixed, options, metrics);
        this.accessLog = AccessLog.open(options.accessLog());
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "infero-model-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /** Serves the models of an OVMS {@code config.json} (watched for changes). */
    public static InferoServer start(Path configFile, ServeOptions options) {
        return new InferoServer(options, configFile, null).startAll();
    }

    /** Serves a fixed list of models (their repositories are watched for new versions). */
    public static InferoServer start(List<ModelConfig> models, ServeOptions options) {
        return new InferoServer(options, null, models).startAll();
    }

    private InferoServer startAll() {
        // Models load while the listeners start (readiness stays false until both are done): the two costs overlap.
        long t0 = System.nanoTime();
        java.util.concurrent.CompletableFuture<Void> loading = java.util.concurrent.CompletableFuture.runAsync(() -> {
            models.loadInitial();
            loadNanos = System.nanoTime() - t0;
        }, r -> Thread.ofPlatform().name("infero-model-load").start(r));
        try {
            if (options.restPort() >= 0) {
                rest = RestApi.start(this, options);
            }
            if (options.grpcPort() >= 0) {
                grpc = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.grpcPort()))
                        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, options.maxRequestBytes()))
                        .executor(grpcExecutor)
                        .addService(new GrpcInferenceService(this))
                        .build().start();
            }
            listenNanos = System.nanoTime() - t0;
            loading.join();
        } catch (IOException e) {
            loading.exceptionally(x -> null).join();
            close();
            throw new InferoException("cannot start the gRPC listener on " + options.host() + ":"
                    + options.grpcPort() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            loading.exceptionally(x -> null).join();
            close();
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof InferoException ie) {
                throw ie;
            }
            throw new InferoException("cannot start the server: " + cause.getMessage(), cause);
        }
        if (options.pollSeconds() > 0) {
            poller.scheduleWithFixedDelay(models::reload, options.pollSeconds(), options.pollSeconds(),
                    TimeUnit.SECONDS);
        }
        ready = true;
        return this;
    }

    /** How long the first load of the models took, in milliseconds. */
    public long loadMillis() {
        return loadNanos / 1_000_000;
    }

    /** How long starting the listeners took, in milliseconds. */
    public long listenMillis() {
        return listenNanos / 1_000_000;
    }

    /** The REST port (the bound one when started with port 0); -1 without REST. */
    public int restPort() {
        return rest == null ? -1 : rest.port();
    }

    /** The gRPC port (the bound one when started with port 0); -1 without gRPC. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.getPort();
    }

    public ServeOptions options() {
        return options;
    }

    /** The served models. */
    public ModelManager models() {
        return models;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Whether the server is live (not shut down). */
    public boolean isLive() {
        return !closed.get();
    }

    /** Whether the server is ready: started and not shutting down. */
    public boolean isReady() {
        return ready && !draining.get();
    }

    /** Checks the model repositories and config now (as the poller does every interval). */
    public void reloadNow() {
        models.reload();
    }

    /** What an inference produced: the version that ran and the outputs to send. */
    public record Outcome(ModelVersion version, List<RestCodec.OutputPart> outputs) {
    }

    /**
     * Runs one inference for either protocol: resolves the model version, validates and queues the inputs, waits for
     * the outputs (up to the request timeout) and selects the requested ones.
     */
    public Outcome infer(String model, String version, InferPayload payload) {
        if (draining.get()) {
            throw new ServeException(ServeException.Kind.UNAVAILABLE, "the server is shutting down");
        }
        active.incrementAndGet();
        try {
            ModelVersion mv = models.resolve(model, version);
            Map<String, Integer> index = new HashMap<>();
            List<PortInfo> outs = mv.outputs();
            for (int i = 0; i < outs.size(); i++) {
                index.put(outs.get(i).name(), i);
            }
            for (InferPayload.RequestedOutput r : payload.outputs()) {
                if (!index.containsKey(r.name())) {
                    throw ServeException.badRequest("model " + mv.name() + " has no output named '" + r.name()
                            + "'; its outputs are " + outs.stream().map(PortInfo::name).toList());
                }
            }
            long deadline = System.nanoTime() + options.requestTimeoutMillis() * 1_000_000;
            List<Tensor> results;
            try {
                results = mv.infer(payload.inputs(), deadline);
            } catch (ServeException e) {
                throw e.withVersion(mv.version());
            }
            List<RestCodec.OutputPart> parts = new ArrayList<>();
            if (payload.outputs().isEmpty()) {
                for (int i = 0; i < outs.size(); i++) {
                    parts.add(new RestCodec.OutputPart(outs.get(i).name(), results.get(i), payload.binaryOutputs()));
                }
            } else {
                Map<String, Boolean> seen = new LinkedHashMap<>();
                for (InferPayload.RequestedOutput r : payload.outputs()) {
                    if (seen.put(r.name(), true) == null) {
                        parts.add(new RestCodec.OutputPart(r.name(), results.get(index.get(r.name())),
                                r.binary() || payload.binaryOutputs()));
                    }
                }
            }
            return new Outcome(mv, parts);
        } finally {
            active.decrementAndGet();
        }
    }

    /** Records a finished request in the metrics and the access log. */
    void record(AccessLog.Entry e, boolean countInMetrics) {
        if (countInMetrics) {
            metrics.request(e.protocol(), e.model(), e.version(), e.status(), e.nanos());
        }
        if (accessLog != null) {
            accessLog.write(e);
        }
    }

    /** Records a finished gRPC call (ModelInfer counts in the request metrics). */
    public void recordGrpc(String method, int status, String model, String version, String id, long bytesIn,
            long nanos, String error) {
        record(new AccessLog.Entry("grpc", method, "/inference.GRPCInferenceService/" + method, status, model,
                version, id, bytesIn, 0, nanos, null, error), method.equals("ModelInfer"));
    }

    /** Blocks until the server is closed (by {@link #close()} from another thread or a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        synchronized (closed) {
            while (!closed.get()) {
                closed.wait();
            }
        }
    }

    @Override
    public void close() {
        if (!draining.compareAndSet(false, true)) {
            // Another thread (a shutdown hook, say) is closing: wait for it.
            try {
                awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        poller.shutdownNow();
        long until = System.nanoTime() + options.shutdownGraceMillis() * 1_000_000;
        while ((active.get() > 0 || models.inFlight() > 0) && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (grpc != null) {
            grpc.shutdown();
            try {
                grpc.awaitTermination(Math.max(1, (until - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            grpc.shutdownNow();
        }
        if (rest != null) {
            rest.stop();
        }
        grpcExecutor.shutdownNow();
        models.close();
        core.close();
        if (accessLog != null) {
            accessLog.close();
        }
        LOG.fine("server stopped");
        synchronized (closed) {
            closed.set(true);
            closed.notifyAll();
        }
    }
}
