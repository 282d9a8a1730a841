package dev.infero.serve;

import dev.infero.core.device.PortInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The KServe v2 REST API on Helidon SE's web server (HTTP/1.1, JSON; virtual thread per request):
 *
 * <pre>
 * GET  /v2                                          server metadata
 * GET  /v2/health/live, /v2/health/ready            200 or 503
 * GET  /v2/models/{name}[/versions/{v}]             model metadata
 * GET  /v2/models/{name}[/versions/{v}]/ready       200 or 503 (404 unknown)
 * POST /v2/models/{name}[/versions/{v}]/infer       inference (JSON or binary tensor data)
 * GET  /metrics                                     Prometheus text format
 * </pre>
 *
 * Errors are {@code {"error": "..."}} with 400 (bad request), 404 (unknown model, version or path), 413 (body over
 * the limit), 503 (not ready, overloaded), 504 (timeout) or 500.
 */
final class RestApi {
    private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
    private static final String JSON = "application/json";

    private final InferoServer server;
    private final long maxBytes;

    private RestApi(InferoServer server, long maxBytes) {
        this.server = server;
        this.maxBytes = maxBytes;
    }

    static WebServer start(InferoServer server, ServeOptions options) {
        RestApi api = new RestApi(server, options.maxRequestBytes());
        HttpRouting.Builder routing = HttpRouting.builder()
                .get("/v2", (req, res) -> api.handle(req, res, false, () -> api.serverMetadata()))
                .get("/v2/health/live", (req, res) -> api.health(req, res, server.isLive(), "live"))
                .get("/v2/health/ready", (req, res) -> api.health(req, res, server.isReady(), "ready"))
                .get("/v2/models/{name}", (req, res) -> api.handle(req, res, false,
                        () -> api.modelMetadata(param(req, "name"), null)))
                .get("/v2/models/{name}/versions/{version}", (req, res) -> api.handle(req, res, false,
                        () -> api.modelMetadata(param(req, "name"), param(req, "version"))))
                .get("/v2/models/{name}/ready", (req, res) -> api.modelReady(req, res, param(req, "name"), null))
                .get("/v2/models/{name}/versions/{version}/ready",
                        (req, res) -> api.modelReady(req, res, param(req, "name"), param(req, "version")))
                .post("/v2/models/{name}/infer", (req, res) -> api.infer(req, res, param(req, "name"), null))
                .post("/v2/models/{name}/versions/{version}/infer",
                        (req, res) -> api.infer(req, res, param(req, "name"), param(req, "version")))
                .get("/metrics", (req, res) -> api.metrics(req, res))
                .any((req, res) -> api.handle(req, res, false, () -> {
                    throw ServeException.notFound("no endpoint " + req.prologue().method().text() + " "
                            + req.path().path() + "; see GET /v2 and the KServe v2 protocol");
                }));
        return WebServer.builder()
                .host(options.host())
                .port(options.restPort())
                .maxPayloadSize(options.maxRequestBytes())
                .shutdownHook(false)
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(routing)
                .build()
                .start();
    }

    private static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** A JSON answer: status and body. */
    private record Reply(int status, byte[] body, String contentType, Map<String, String> headers, String model,
            String version, String id) {
        static Reply json(Object value) {
            return new Reply(200, RestCodec.json(value), JSON, Map.of(), null, null, null);
        }
    }

    @FunctionalInterface
    private interface Action {
        Reply run() throws Exception;
    }

    private void handle(ServerRequest req, ServerResponse res, boolean countInMetrics, Action action) {
        long start = System.nanoTime();
        Reply reply;
        String error = null;
        try {
            reply = action.run();
        } catch (ServeException e) {
            error = e.getMessage();
            reply = new Reply(e.kind().httpStatus(), RestCodec.error(error), JSON, Map.of(), null, null, null);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "request " + req.path().path() + " failed", e);
            error = "internal error: " + e;
            reply = new Reply(500, RestCodec.error(error), JSON, Map.of(), null, null, null);
        }
        send(req, res, reply, start, countInMetrics, error, null, null, 0);
    }

    private void send(ServerRequest req, ServerResponse res, Reply reply, long start, boolean countInMetrics,
            String error, String model, String version, long bytesIn) {
        try {
            res.status(Status.create(reply.status()));
            res.header(HeaderNames.CONTENT_TYPE, reply.contentType());
            reply.headers().forEach(res::header);
            res.send(reply.body());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cannot send the response (client gone?)", e);
        }
        String m = reply.model() != null ? reply.model() : model;
        String v = reply.version() != null ? reply.version() : version;
        server.record(new AccessLog.Entry("rest", req.prologue().method().text(), req.path().path(), reply.status(),
                m, v, reply.id(), bytesIn, reply.body().length, System.nanoTime() - start,
                req.remotePeer().host() + ":" + req.remotePeer().port(), error), countInMetrics);
    }

    private Reply serverMetadata() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", InferoServer.NAME);
        body.put("version", version());
        body.put("extensions", InferoServer.EXTENSIONS);
        return Reply.json(body);
    }

    static String version() {
        String v = InferoServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private void health(ServerRequest req, ServerResponse res, boolean ok, String what) {
        handle(req, res, false, () -> new Reply(ok ? 200 : 503, RestCodec.json(Map.of(what, ok)), JSON, Map.of(),
                null, null, null));
    }

    private Reply modelMetadata(String name, String version) {
        ModelVersion mv = server.models().resolve(name, version);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("versions", server.models().versions(name).stream().map(String::valueOf).toList());
        body.put("platform", "infero");
        body.put("inputs", ports(mv.inputs()));
        body.put("outputs", ports(mv.outputs()));
        return new Reply(200, RestCodec.json(body), JSON, Map.of(), name, Long.toString(mv.version()), null);
    }

    static List<Map<String, Object>> ports(List<PortInfo> ports) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PortInfo p : ports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("datatype", Datatypes.name(p.type()));
            m.put("shape", shapeOf(p));
            out.add(m);
        }
        return out;
    }

    /** The port's dimensions with -1 for dynamic ones (an unknown rank is reported as {@code [-1]}). */
    static long[] shapeOf(PortInfo p) {
        if (!p.shape().hasRank()) {
            return new long[] {-1};
        }
        int[] dims = p.shape().dimsOrDynamic();
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }

    private void modelReady(ServerRequest req, ServerResponse res, String name, String version) {
        handle(req, res, false, () -> {
            ModelVersion mv;
            try {
                mv = server.models().resolve(name, version);
            } catch (ServeException e) {
                if (e.kind() == ServeException.Kind.UNAVAILABLE) {
                    return new Reply(503, RestCodec.json(Map.of("name", name, "ready", false)), JSON, Map.of(),
                            name, version, null);
                }
                throw e;
            }
            boolean ok = server.isReady();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("version", Long.toString(mv.version()));
            body.put("ready", ok);
            return new Reply(ok ? 200 : 503, RestCodec.json(body), JSON, Map.of(), name,
                    Long.toString(mv.version()), null);
        });
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        handle(req, res, false, () -> new Reply(200, server.metrics().scrape().getBytes(StandardCharsets.UTF_8),
                "text/plain; version=0.0.4; charset=utf-8", Map.of(), null, null, null));
    }

    private void infer(ServerRequest req, ServerResponse res, String name, String version) {
        long start = System.nanoTime();
        byte[] body;
        try {
            body = readBody(req);
        } catch (ServeException e) {
            send(req, res, new Reply(e.kind().httpStatus(), RestCodec.error(e.getMessage()), JSON, Map.of(), null,
                    null, null), start, true, e.getMessage(), null, null, 0);
            return;
        } catch (RuntimeException e) {
            // The client went away mid-body (or sent a broken chunk): nobody to answer; the server goes on.
            LOG.log(Level.FINE, "client disconnected while sending a request", e);
            server.record(new AccessLog.Entry("rest", "POST", req.path().path(), 499, null, null, null, 0, 0,
                    System.nanoTime() - start, null, "client disconnected: " + e.getMessage()), false);
            return;
        }
        String id = null;
        String error = null;
        Reply reply;
        String servedVersion = version;
        String model = null;
        try {
            InferPayload payload = RestCodec.parseRequest(body,
                    req.headers().first(HeaderNames.create(RestCodec.HEADER_LENGTH)).orElse(null));
            id = payload.id();
            InferoServer.Outcome outcome = server.infer(name, version, payload);
            model = name;
            servedVersion = Long.toString(outcome.version().version());
            RestCodec.Encoded enc = RestCodec.encodeResponse(name, servedVersion, id, outcome.outputs());
            if (enc.jsonLength() >= 0) {
                reply = new Reply(200, enc.body(), "application/octet-stream",
                        Map.of(RestCodec.HEADER_LENGTH, Integer.toString(enc.jsonLength())), model, servedVersion, id);
            } else {
                reply = new Reply(200, enc.body(), JSON, Map.of(), model, servedVersion, id);
            }
        } catch (ServeException e) {
            error = e.getMessage();
            if (e.kind() != ServeException.Kind.NOT_FOUND) {
                model = knownModel(name);
            }
            if (e.version() != null) {
                servedVersion = e.version();
            }
            reply = new Reply(e.kind().httpStatus(), RestCodec.error(error), JSON, Map.of(), model,
                    model == null ? null : servedVersion, id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "inference request failed", e);
            error = "internal error: " + e;
            reply = new Reply(500, RestCodec.error(error), JSON, Map.of(), knownModel(name), servedVersion, id);
        }
        send(req, res, reply, start, true, error, null, null, body.length);
    }

    /** The name for metric labels when the model exists (so clients cannot create labels). */
    private String knownModel(String name) {
        return server.models().modelNames().contains(name) ? name : null;
    }

    private byte[] readBody(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw new ServeException(ServeException.Kind.TOO_LARGE, "the request body of " + declared
                    + " bytes is larger than the limit of " + maxBytes + " bytes (--max-request-bytes)");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                throw new ServeException(ServeException.Kind.TOO_LARGE, "the request body is larger than the limit "
                        + "of " + maxBytes + " bytes (--max-request-bytes)");
            }
            if (declared >= 0 && body.length != declared) {
                throw new UncheckedIOException(new IOException("body ended after " + body.length + " of "
                        + declared + " bytes"));
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
