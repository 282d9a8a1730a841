package dev.infero.serve.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.serve.Datatypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client for the KServe v2 REST protocol (Infero's server, OpenVINO Model Server, Triton, KServe), on
 * {@code java.net.http}. Thread-safe.
 *
 * <pre>{@code
 * var client = new InferoClient(URI.create("http://127.0.0.1:8000"));
 * if (client.isModelReady("face", null)) {
 *     InferoClient.Result r = client.infer("face", null, Map.of("input", image), InferoClient.Encoding.BINARY);
 *     Tensor scores = r.outputs().get("scores");
 * }
 * }</pre>
 * Server errors throw {@link ServerError} with the HTTP status and the server's {@code error} message.
 */
public final class InferoClient {
    /** Keeps JSON numbers as decimals, so that floats parse exactly as the server wrote them. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /** How tensors travel: JSON numbers, or the binary tensor data extension (raw little-endian bytes). */
    public enum Encoding { JSON, BINARY }

    /** An error answer of the server. */
    public static final class ServerError extends InferoException {
        private final int status;

        public ServerError(int status, String message) {
            super("server answered " + status + ": " + message);
            this.status = status;
        }

        /** The HTTP status code. */
        public int status() {
            return status;
        }
    }

    /** A model input or output as the metadata describes it ({@code -1} for a dynamic dimension). */
    public record TensorInfo(String name, String datatype, long[] shape) {
    }

    /** Model metadata. */
    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorInfo> inputs,
            List<TensorInfo> outputs) {
    }

    /** An inference result: the version that ran, the echoed id and the outputs by name, in the server's order. */
    public record Result(String modelName, String modelVersion, String id, Map<String, Tensor> outputs) {
    }

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public InferoClient(URI base) {
        this(base, Duration.ofSeconds(60));
    }

    public InferoClient(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public boolean isLive() {
        return get("/v2/health/live").statusCode() == 200;
    }

    public boolean isReady() {
        return get("/v2/health/ready").statusCode() == 200;
    }

    /** Whether a model (version; {@code null}: the default) is ready; false for unknown models. */
    public boolean isModelReady(String model, String version) {
        return get(modelPath(model, version) + "/ready").statusCode() == 200;
    }

    /** {@code GET /v2}: name, version, extensions. */
    public JsonNode serverMetadata() {
        return json(checked(get("/v2")));
    }

    public ModelMetadata modelMetadata(String model, String version) {
        JsonNode m = json(checked(get(modelPath(model, version))));
        List<String> versions = new ArrayList<>();
        m.path("versions").forEach(v -> versions.add(v.asText()));
        return new ModelMetadata(m.path("name").asText(), versions, m.path("platform").asText(),
                infos(m.path("inputs")), infos(m.path("outputs")));
    }

    private static List<TensorInfo> infos(JsonNode array) {
        List<TensorInfo> out = new ArrayList<>();
        for (JsonNode t : array) {
            long[] shape = new long[t.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
            }
            out.add(new TensorInfo(t.path("name").asText(), t.path("datatype").asText(), shape));
        }
        return out;
    }

    /** Runs an inference with every output returned, tensors sent and received in {@code encoding}. */
    public Result infer(String model, String version, Map<String, Tensor> inputs, Encoding encoding) {
        return infer(model, version, inputs, List.of(), encoding, null);
    }

    /**
     * Runs an inference; {@code outputs} names the outputs wanted (empty: all), {@code id} is echoed back.
     */
    public Result infer(String model, String version, Map<String, Tensor> inputs, List<String> outputs,
            Encoding encoding, String id) {
        boolean binary = encoding == Encoding.BINARY;
        ObjectNode req = JSON.createObjectNode();
        if (id != null) {
            req.put("id", id);
        }
        ArrayNode ins = req.putArray("inputs");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode in = ins.addObject();
            in.put("name", e.getKey());
            ArrayNode shape = in.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            in.put("datatype", Datatypes.name(t.type()));
            if (binary) {
                byte[] bytes = TensorBytes.toLittleEndian(t);
                in.putObject("parameters").put("binary_data_size", bytes.length);
                raw.writeBytes(bytes);
            } else {
                ArrayNode data = in.putArray("data");
                for (int i = 0; i < t.size(); i++) {
                    switch (t.type()) {
                        case F32 -> data.add(t.floats()[i]);
                        case F64, F16, BF16 -> data.add(t.getDouble(i));
                        case BOOLEAN -> data.add(t.getLong(i) != 0);
                        default -> data.add(t.getLong(i));
                    }
                }
            }
        }
        if (!outputs.isEmpty() || binary) {
            ArrayNode outs = req.putArray("outputs");
            for (String o : outputs) {
                ObjectNode on = outs.addObject().put("name", o);
                if (binary) {
                    on.putObject("parameters").put("binary_data", true);
                }
            }
            if (outputs.isEmpty()) {
                req.remove("outputs");
                req.putObject("parameters").put("binary_data_output", true);
            }
        }
        byte[] header;
        try {
            header = JSON.writeValueAsBytes(req);
        } catch (IOException e) {
            throw new InferoException("cannot encode the request: " + e.getMessage(), e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(modelPath(model, version) + "/infer")).timeout(timeout);
        byte[] body = header;
        if (binary) {
            ByteArrayOutputStream all = new ByteArrayOutputStream(header.length + raw.size());
            all.writeBytes(header);
            all.writeBytes(raw.toByteArray());
            body = all.toByteArray();
            b.header(HEADER_LENGTH, Integer.toString(header.length)).header("Content-Type",
                    "application/octet-stream");
        } else {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<byte[]> res = send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        checked(res);
        return parseResult(res.body(), res.headers().firstValue(HEADER_LENGTH).map(Integer::parseInt).orElse(-1));
    }

    /** Decodes an inference response body (JSON, or JSON followed by binary outputs). */
    public static Result parseResult(byte[] body, int jsonLength) {
        int n = jsonLength >= 0 ? jsonLength : body.length;
        JsonNode r;
        try {
            r = JSON.readTree(body, 0, n);
        } catch (IOException e) {
            throw new InferoException("malformed response: " + e.getMessage(), e);
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        int offset = n;
        for (JsonNode o : r.path("outputs")) {
            String name = o.path("name").asText();
            ElementType type = Datatypes.parse(o.path("datatype").asText(), "output '" + name + "'");
            int[] shape = new int[o.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = o.path("shape").get(i).asInt();
            }
            JsonNode size = o.path("parameters").path("binary_data_size");
            if (!size.isMissingNode()) {
                int len = size.asInt();
                if (len < 0 || len > body.length - offset) {
                    throw new InferoException("response output '" + name + "' declares " + len + " bytes but "
                            + (body.length - offset) + " remain");
                }
                outputs.put(name, TensorBytes.fromLittleEndian(type, shape, ByteBuffer.wrap(body, offset, len).slice(),
                        "output '" + name + "'"));
                offset += len;
            } else {
                Tensor t = Tensor.allocate(type, shape);
                JsonNode data = o.path("data");
                if (data.size() != t.size()) {
                    throw new InferoException("response output '" + name + "' has " + data.size() + " values for "
                            + t.size() + " elements");
                }
                for (int i = 0; i < t.size(); i++) {
                    JsonNode v = data.get(i);
                    switch (type) {
                        case F32 -> t.floats()[i] = Float.parseFloat(v.asText());
                        case F64, F16, BF16 -> t.setDouble(i, Double.parseDouble(v.asText()));
                        case BOOLEAN -> t.setLong(i, v.asBoolean() ? 1 : 0);
                        default -> t.setLong(i, v.asLong());
                    }
                }
                outputs.put(name, t);
            }
        }
        return new Result(r.path("model_name").asText(), r.path("model_version").asText(),
                r.hasNonNull("id") ? r.get("id").asText() : null, outputs);
    }

    private static String modelPath(String model, String version) {
        String p = "/v2/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8);
        return version == null || version.isEmpty() ? p : p + "/versions/" + URLEncoder.encode(version,
                StandardCharsets.UTF_8);
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build());
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new InferoException("cannot reach " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferoException("interrupted while waiting for " + request.uri(), e);
        }
    }

    private static HttpResponse<byte[]> checked(HttpResponse<byte[]> res) {
        if (res.statusCode() != 200) {
            String message;
            try {
                message = JSON.readTree(res.body()).path("error").asText(new String(res.body(),
                        StandardCharsets.UTF_8));
            } catch (IOException e) {
                message = new String(res.body(), StandardCharsets.UTF_8);
            }
            throw new ServerError(res.statusCode(), message);
        }
        return res;
    }

    private static JsonNode json(HttpResponse<byte[]> res) {
        try {
            return JSON.readTree(res.body());
        } catch (IOException e) {
            throw new InferoException("malformed response: " + e.getMessage(), e);
        }
    }
}
