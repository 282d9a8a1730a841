package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.serve.client.InferoClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every REST endpoint against a server on 127.0.0.1 and an ephemeral port: JSON and binary tensors, outputs equal to
 * local inference bit for bit, and the protocol's errors for bad requests (after which the server keeps serving).
 */
class ServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static InferoServer server;
    static InferoClient client;
    static HttpClient http;
    static Path convV1;
    static Path convV2;
    static Path integer;
    static Path dynamic;
    static Path accessLog;

    @BeforeAll
    static void start() throws IOException {
        convV1 = TestModels.conv(dir.resolve("repo/conv/1/conv.onnx"), 1);
        convV2 = TestModels.conv(dir.resolve("repo/conv/2/conv.onnx"), 2);
        integer = TestModels.integer(dir.resolve("repo/integer/1/integer.onnx"));
        dynamic = TestModels.dynamic(dir.resolve("repo/dynamic/1/dynamic.onnx"));
        Files.writeString(dir.resolve("config.json"), """
                {"model_config_list": [
                  {"config": {"name": "conv", "base_path": "repo/conv", "nireq": 2,
                              "model_version_policy": {"all": {}}}},
                  {"config": {"name": "integer", "base_path": "repo/integer", "target_device": "CPU"}},
                  {"config": {"name": "dynamic", "base_path": "repo/dynamic", "plugin_config": {"NUM_STREAMS": 1}}}
                ]}""");
        accessLog = dir.resolve("logs/access.jsonl");
        server = InferoServer.start(dir.resolve("config.json"), TestServers.restOnly()
                .withLimits(1 << 20, 16, 30_000).withAccessLog(accessLog.toString()));
        client = TestServers.client(server);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(TestServers.rest(server, path)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(TestServers.rest(server, path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> post(String path, String json) throws Exception {
        return post(path, json.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
    }

    static String error(HttpResponse<byte[]> r) throws IOException {
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error"), "error body " + new String(r.body(), StandardCharsets.UTF_8));
        return body.get("error").asText();
    }

    /** A JSON request body for the conv model with {@code x}. */
    static String convJson(Tensor x, String extra) throws IOException {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("name", "x");
        in.put("shape", x.shape());
        in.put("datatype", "FP32");
        in.put("data", x.floats());
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("inputs", List.of(in));
        String json = JSON.writeValueAsString(req);
        return extra.isEmpty() ? json : json.substring(0, json.length() - 1) + "," + extra + "}";
    }

    @Test
    void serverMetadataAndHealth() throws Exception {
        JsonNode meta = client.serverMetadata();
        assertEquals("infero", meta.get("name").asText());
        assertTrue(meta.get("extensions").toString().contains("binary_tensor_data"));
        assertTrue(client.isLive());
        assertTrue(client.isReady());
        HttpResponse<String> live = get("/v2/health/live");
        assertEquals(200, live.statusCode());
        assertEquals("{\"live\":true}", live.body());
        assertEquals(200, get("/v2/health/ready").statusCode());
    }

    @Test
    void modelMetadataListsVersionsInputsAndOutputs() throws Exception {
        InferoClient.ModelMetadata m = client.modelMetadata("conv", null);
        assertEquals("conv", m.name());
        assertEquals(List.of("1", "2"), m.versions());
        assertEquals(1, m.inputs().size());
        assertEquals("x", m.inputs().get(0).name());
        assertEquals("FP32", m.inputs().get(0).datatype());
        assertArrayEquals(new long[] {1, 3, 8, 8}, m.inputs().get(0).shape());
        assertEquals(List.of("y", "s"), m.outputs().stream().map(InferoClient.TensorInfo::name).toList());
        assertArrayEquals(new long[] {1, 4}, m.outputs().get(1).shape());
        assertEquals("INT64", client.modelMetadata("integer", "1").inputs().get(0).datatype());
        // A dynamic dimension is -1.
        assertArrayEquals(new long[] {-1, 4}, client.modelMetadata("dynamic", null).inputs().get(0).shape());
        assertEquals(404, get("/v2/models/conv/versions/7").statusCode());
        assertEquals(404, get("/v2/models/nope").statusCode());
        assertEquals(404, get("/v2/models/conv/versions/x1").statusCode());
    }

    @Test
    void modelReadiness() throws Exception {
        assertTrue(client.isModelReady("conv", null));
        assertTrue(client.isModelReady("conv", "1"));
        HttpResponse<String> r = get("/v2/models/conv/versions/2/ready");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"ready\":true"));
        assertEquals(404, get("/v2/models/conv/versions/3/ready").statusCode());
        assertEquals(404, get("/v2/models/unknown/ready").statusCode());
        assertFalse(client.isModelReady("unknown", null));
    }

    @Test
    void jsonInferenceEqualsLocalInferenceBitForBit() throws Exception {
        Tensor x = TestModels.randomF32(11, 1, 3, 8, 8);
        for (String version : new String[] {"1", "2", null}) {
            Path file = "1".equals(version) ? convV1 : convV2;
            List<Tensor> expected = TestModels.local(file, Map.of("x", x));
            InferoClient.Result r = client.infer("conv", version, Map.of("x", x), List.of(),
                    InferoClient.Encoding.JSON, "req-" + version);
            assertEquals(version == null ? "2" : version, r.modelVersion());
            assertEquals("req-" + version, r.id());
            assertEquals(List.of("y", "s"), List.copyOf(r.outputs().keySet()));
            assertArrayEquals(expected.get(0).floats(), r.outputs().get("y").floats());
            assertArrayEquals(new int[] {1, 4, 8, 8}, r.outputs().get("y").shape());
            assertArrayEquals(expected.get(1).floats(), r.outputs().get("s").floats());
        }
    }

    @Test
    void binaryInferenceEqualsLocalInferenceBitForBit() throws Exception {
        Tensor x = TestModels.randomF32(12, 1, 3, 8, 8);
        List<Tensor> expected = TestModels.local(convV2, Map.of("x", x));
        InferoClient.Result r = client.infer("conv", null, Map.of("x", x), InferoClient.Encoding.BINARY);
        assertArrayEquals(expected.get(0).floats(), r.outputs().get("y").floats());
        assertArrayEquals(expected.get(1).floats(), r.outputs().get("s").floats());

        // By hand: binary input, one output selected as binary, the other as JSON.
        byte[] raw = TensorBytes.toLittleEndian(x);
        String header = "{\"id\":\"mixed\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + raw.length + "}}],\"outputs\":[{\"name\":\"s\","
                + "\"parameters\":{\"binary_data\":true}},{\"name\":\"y\"}]}";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(raw);
        HttpResponse<byte[]> res = post("/v2/models/conv/versions/1/infer", body.toByteArray(), Map.of(
                "Inference-Header-Content-Length", Integer.toString(header.length()),
                "Content-Type", "application/octet-stream"));
        assertEquals(200, res.statusCode(), () -> new String(res.body(), StandardCharsets.UTF_8));
        int jsonLength = Integer.parseInt(res.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode json = JSON.readTree(new String(res.body(), 0, jsonLength, StandardCharsets.UTF_8));
        assertEquals("mixed", json.get("id").asText());
        assertEquals("s", json.get("outputs").get(0).get("name").asText());
        assertEquals(16, json.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
        assertTrue(json.get("outputs").get(1).has("data"));
        InferoClient.Result parsed = InferoClient.parseResult(res.body(), jsonLength);
        List<Tensor> v1 = TestModels.local(convV1, Map.of("x", x));
        assertArrayEquals(v1.get(1).floats(), parsed.outputs().get("s").floats());
        assertArrayEquals(v1.get(0).floats(), parsed.outputs().get("y").floats());
    }

    @Test
    void outputSelectionAndNestedData() throws Exception {
        HttpResponse<byte[]> r = post("/v2/models/dynamic/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[[1,-2,3,-4],[-0.5,0.25,\"NaN\",-1e-3]]}],"
                + "\"outputs\":[{\"name\":\"y\"}]}");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        JsonNode out = JSON.readTree(r.body()).get("outputs").get(0);
        assertEquals("[2,4]", out.get("shape").toString());
        assertEquals("[1.0,0.0,3.0,0.0,0.0,0.25,\"NaN\",0.0]", out.get("data").toString());
        HttpResponse<byte[]> bad = post("/v2/models/dynamic/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"z\"}]}");
        assertEquals(400, bad.statusCode());
        assertTrue(error(bad).contains("no output named 'z'"), error(bad));
    }

    @Test
    void datatypesConvertToTheModelsTypeWhenExactElse400() throws Exception {
        // INT32 and UINT8 data for an FP32 input: converted.
        Tensor x = TestModels.randomF32(13, 1, 3, 8, 8);
        float[] rounded = new float[x.size()];
        StringBuilder ints = new StringBuilder();
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = Math.round(x.floats()[i] * 10);
            ints.append(i == 0 ? "" : ",").append((int) rounded[i]);
        }
        HttpResponse<byte[]> r = post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,8,8],"
                + "\"datatype\":\"INT32\",\"data\":[" + ints + "]}]}");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        List<Tensor> expected = TestModels.local(convV2, Map.of("x", Tensor.of(rounded, 1, 3, 8, 8)));
        assertArrayEquals(expected.get(1).floats(), InferoClient.parseResult(r.body(), -1).outputs().get("s")
                .floats());

        // FP32 integral values for an INT64 input: converted; INT8 binary: converted.
        HttpResponse<byte[]> i = post("/v2/models/integer/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[1.0,-2,3,40]}]}");
        assertEquals(200, i.statusCode(), () -> new String(i.body(), StandardCharsets.UTF_8));
        assertEquals("[4,-5,10,121]", JSON.readTree(i.body()).get("outputs").get(0).get("data").toString());
        Tensor int8 = Tensor.allocate(ElementType.I8, 1, 4);
        int8.bytes()[0] = -7;
        int8.bytes()[3] = 100;
        InferoClient.Result bin = client.infer("integer", null, Map.of("a", int8), InferoClient.Encoding.BINARY);
        assertArrayEquals(new long[] {-20, 1, 1, 301}, bin.outputs().get("b").longs());
        assertEquals(ElementType.I64, bin.outputs().get("b").type());
        // INT64 output as JSON; INT64 inputs beyond 2^53 stay exact.
        HttpResponse<byte[]> big = post("/v2/models/integer/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],"
                + "\"datatype\":\"INT64\",\"data\":[1000000000000001,0,0,0]}]}");
        assertEquals("[3000000000000004,1,1,1]", JSON.readTree(big.body()).get("outputs").get(0).get("data")
                .toString());

        // Fractions for an integer input, unknown datatype, BYTES: 400 naming the input.
        HttpResponse<byte[]> frac = post("/v2/models/integer/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[1.5,2,3,4]}]}");
        assertEquals(400, frac.statusCode());
        assertTrue(error(frac).contains("input 'a'") && error(frac).contains("1.5"), error(frac));
        HttpResponse<byte[]> unknown = post("/v2/models/integer/infer", "{\"inputs\":[{\"name\":\"a\","
                + "\"shape\":[1,4],\"datatype\":\"FP8\",\"data\":[1,2,3,4]}]}");
        assertEquals(400, unknown.statusCode());
        assertTrue(error(unknown).contains("unknown datatype 'FP8'"), error(unknown));
        HttpResponse<byte[]> bool = post("/v2/models/integer/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],"
                + "\"datatype\":\"BOOL\",\"data\":[true,false,true,true]}]}");
        assertEquals(200, bool.statusCode(), () -> new String(bool.body(), StandardCharsets.UTF_8));
        assertEquals("[4,1,4,4]", JSON.readTree(bool.body()).get("outputs").get(0).get("data").toString());
    }

    @Test
    void badRequestsGetTheProtocolsErrorsAndTheServerKeepsServing() throws Exception {
        String ok = convJson(TestModels.randomF32(14, 1, 3, 8, 8), "");
        // Malformed JSON.
        HttpResponse<byte[]> malformed = post("/v2/models/conv/infer", "{\"inputs\": [");
        assertEquals(400, malformed.statusCode());
        assertTrue(error(malformed).startsWith("malformed JSON"), error(malformed));
        assertEquals(400, post("/v2/models/conv/infer", "[1,2]").statusCode());
        assertEquals(400, post("/v2/models/conv/infer", "{}").statusCode());
        // Wrong shape, element count, input name.
        HttpResponse<byte[]> shape = post("/v2/models/conv/infer", convJson(TestModels.randomF32(1, 1, 3, 4, 16),
                ""));
        assertEquals(400, shape.statusCode());
        assertTrue(error(shape).contains("shape [1, 3, 4, 16]"), error(shape));
        HttpResponse<byte[]> count = post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,8,8],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
        assertEquals(400, count.statusCode());
        assertTrue(error(count).contains("192 elements") && error(count).contains("3 values"), error(count));
        HttpResponse<byte[]> name = post("/v2/models/conv/infer", ok.replace("\"name\":\"x\"", "\"name\":\"q\""));
        assertEquals(400, name.statusCode());
        assertTrue(error(name).contains("'x'") && error(name).contains("missing"), error(name));
        HttpResponse<byte[]> huge = post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"x\","
                + "\"shape\":[100000,100000,100000],\"datatype\":\"FP32\",\"data\":[1]}]}");
        assertEquals(400, huge.statusCode());
        assertTrue(error(huge).contains("more than 2^31-1 elements"), error(huge));
        HttpResponse<byte[]> few = post("/v2/models/conv/infer", "{\"inputs\":[{\"name\":\"x\","
                + "\"shape\":[1,3,1000,1000],\"datatype\":\"FP32\",\"data\":[1,2]}]}");
        assertEquals(400, few.statusCode());
        assertTrue(error(few).contains("3000000 elements") && error(few).contains("2 values"), error(few));
        // Binary sizes that do not add up.
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":768}}]}";
        byte[] shortBody = (header + "abc").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> bin = post("/v2/models/conv/infer", shortBody,
                Map.of("Inference-Header-Content-Length", Integer.toString(header.length())));
        assertEquals(400, bin.statusCode());
        assertTrue(error(bin).contains("binary_data_size 768"), error(bin));
        HttpResponse<byte[]> badHeader = post("/v2/models/conv/infer", shortBody,
                Map.of("Inference-Header-Content-Length", "99999"));
        assertEquals(400, badHeader.statusCode());
        // Unknown model, version, path.
        HttpResponse<byte[]> model = post("/v2/models/nope/infer", ok);
        assertEquals(404, model.statusCode());
        assertTrue(error(model).contains("'nope'"));
        assertEquals(404, post("/v2/models/conv/versions/9/infer", ok).statusCode());
        HttpResponse<String> path = get("/v3/whatever");
        assertEquals(404, path.statusCode());
        assertTrue(path.body().contains("\"error\""));
        // A body over the limit (1 MiB here): 413, answered from the declared length. Over a raw socket: the server
        // may answer and close before a client has sent the whole body, which java.net.http reports as a failure.
        try (Socket s = new Socket("127.0.0.1", server.restPort())) {
            s.setSoTimeout(10_000);
            String head = "POST /v2/models/conv/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + ((1 << 20) + 10) + "\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(new byte[4096]);
            s.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 413"), String.valueOf(status));
        }

        // Still serving.
        assertEquals(200, post("/v2/models/conv/infer", ok).statusCode());
        assertTrue(client.isReady());
    }

    @Test
    void clientDisconnectingMidRequestDoesNotHurtTheServer() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket("127.0.0.1", server.restPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v2/models/conv/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                        + "\r\nContent-Length: 50000\r\n\r\n{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,8,8],")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
        // A client that sends a full request and leaves before the answer.
        try (Socket s = new Socket("127.0.0.1", server.restPort())) {
            byte[] body = convJson(TestModels.randomF32(3, 1, 3, 8, 8), "").getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(("POST /v2/models/conv/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
        }
        Tensor x = TestModels.randomF32(15, 1, 3, 8, 8);
        InferoClient.Result r = client.infer("conv", "1", Map.of("x", x), InferoClient.Encoding.BINARY);
        assertArrayEquals(TestModels.local(convV1, Map.of("x", x)).get(0).floats(), r.outputs().get("y").floats());
    }

    @Test
    void metricsAndAccessLog() throws Exception {
        client.infer("conv", null, Map.of("x", TestModels.randomF32(16, 1, 3, 8, 8)), InferoClient.Encoding.JSON);
        post("/v2/models/conv/infer", "{bad");
        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = m.body();
        assertTrue(text.matches("(?s).*infero_requests_total\\{model=\"conv\",protocol=\"rest\",status=\"200\","
                + "version=\"2\"} [1-9].*"), text);
        assertTrue(text.contains("status=\"400\""), text);
        assertTrue(text.contains("infero_request_duration_seconds_bucket{model=\"conv\""), text);
        assertTrue(text.contains("infero_inference_duration_seconds_count{model=\"conv\",version=\"2\"}"), text);
        assertTrue(text.contains("infero_queue_depth{model=\"conv\",version=\"1\"} 0.0"), text);
        List<String> lines = Files.readAllLines(accessLog);
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            assertNotNull(e.get("time"));
            assertNotNull(e.get("status"));
            assertNotNull(e.get("duration_ms"));
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"path\":\"/v2/models/conv/infer\"")
                && l.contains("\"status\":400") && l.contains("\"error\":\"malformed JSON")), String.join("\n", lines));
    }

    @Test
    void clientReportsServerErrors() {
        InferoClient.ServerError e = assertThrows(InferoClient.ServerError.class,
                () -> client.modelMetadata("nope", null));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("'nope' is not served"));
    }
}
