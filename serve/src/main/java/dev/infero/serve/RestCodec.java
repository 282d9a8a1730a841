package dev.infero.serve;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe v2 REST body formats: JSON tensors and the binary tensor data extension.
 *
 * <p>Request: a JSON object {@code {"id", "parameters", "inputs": [{"name", "shape", "datatype", "parameters",
 * "data"}], "outputs": [{"name", "parameters": {"binary_data": true}}]}}. With the binary extension the body is the
 * JSON (its length in the {@code Inference-Header-Content-Length} header) followed by the raw little-endian data of the
 * inputs whose {@code parameters.binary_data_size} gives their byte count, in input order. {@code data} may be flat or
 * nested row-major arrays. The JSON is read with a streaming parser: sizes are checked against the shape and the body
 * before anything is allocated.
 *
 * <p>Response: {@code {"model_name", "model_version", "id", "outputs": [{"name", "datatype", "shape", "data"}]}};
 * binary outputs carry {@code parameters.binary_data_size} instead of {@code data} and follow the JSON.
 */
public final class RestCodec {
    /** The binary extension's header giving the JSON part's length. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private RestCodec() {
    }

    /** A response output: the tensor and whether it goes as binary data. */
    public record OutputPart(String name, Tensor tensor, boolean binary) {
    }

    /** An encoded response: the body and the JSON part's length when binary data follows ({@code -1}: JSON only). */
    public record Encoded(byte[] body, int jsonLength) {
    }

    /**
     * Parses a request body; {@code headerLength} is the value of {@code Inference-Header-Content-Length} or
     * {@code null}. Every error is a 400 naming the field.
     */
    public static InferPayload parseRequest(byte[] body, String headerLength) {
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.trim());
            } catch (NumberFormatException e) {
                throw ServeException.badRequest(HEADER_LENGTH + " must be a number, got '" + headerLength + "'");
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                throw ServeException.badRequest(HEADER_LENGTH + " is " + jsonLength + " but the body has "
                        + body.length + " bytes");
            }
        }
        String id = null;
        boolean binaryOutputs = false;
        Map<String, Object> parameters = Map.of();
        List<RawInput> inputs = null;
        List<InferPayload.RequestedOutput> outputs = List.of();
        try (JsonParser p = FACTORY.createParser(body, 0, jsonLength)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ServeException.badRequest("the request body must be a JSON object with \"inputs\"");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw ServeException.badRequest("\"id\" must be a string");
                        }
                        id = p.getText();
                    }
                    case "parameters" -> {
                        parameters = parameters(p, "\"parameters\"");
                        Object b = parameters.get("binary_data_output");
                        binaryOutputs = Boolean.TRUE.equals(b);
                    }
                    case "inputs" -> inputs = inputs(p, body.length);
                    case "outputs" -> outputs = outputs(p);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw ServeException.badRequest("the request body has data after its JSON object"
                        + (headerLength == null ? " (binary data needs the " + HEADER_LENGTH + " header)" : ""));
            }
        } catch (JsonParseException e) {
            throw ServeException.badRequest("malformed JSON in the request body: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw ServeException.badRequest("cannot read the request body: " + e.getMessage());
        }
        if (inputs == null || inputs.isEmpty()) {
            throw ServeException.badRequest("the request has no \"inputs\"");
        }
        // Binary parts follow the JSON in input order.
        int offset = jsonLength;
        List<NamedTensor> tensors = new ArrayList<>(inputs.size());
        for (RawInput in : inputs) {
            if (in.binarySize >= 0) {
                if (in.binarySize > body.length - offset) {
                    throw ServeException.badRequest("input '" + in.name + "' declares binary_data_size "
                            + in.binarySize + " but only " + (body.length - offset) + " bytes of binary data remain");
                }
                ByteBuffer raw = ByteBuffer.wrap(body, offset, (int) in.binarySize);
                offset += (int) in.binarySize;
                try {
                    tensors.add(new NamedTensor(in.name, TensorBytes.fromLittleEndian(in.type, in.shape, raw.slice(),
                            "input '" + in.name + "'")));
                } catch (dev.infero.core.InferoException e) {
                    throw ServeException.badRequest(e.getMessage());
                }
            } else {
                tensors.add(new NamedTensor(in.name, in.tensor));
            }
        }
        if (offset != body.length) {
            throw ServeException.badRequest("the request body has " + (body.length - offset) + " bytes of binary data "
                    + "that no input's binary_data_size accounts for");
        }
        return new InferPayload(id, tensors, outputs, binaryOutputs, parameters);
    }

    /** An input as parsed: JSON data already in a tensor, or the size of its binary part. */
    private record RawInput(String name, ElementType type, int[] shape, Tensor tensor, long binarySize) {
    }

    private static List<RawInput> inputs(JsonParser p, long bodyBytes) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ServeException.badRequest("\"inputs\" must be an array");
        }
        List<RawInput> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ServeException.badRequest("inputs[" + out.size() + "] must be an object");
            }
            out.add(input(p, out.size(), bodyBytes));
        }
        return out;
    }

    private static RawInput input(JsonParser p, int index, long bodyBytes) throws IOException {
        String where = "inputs[" + index + "]";
        String name = null;
        String datatype = null;
        int[] shape = null;
        long binarySize = -1;
        Values values = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "name" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw ServeException.badRequest(where + ".name must be a string");
                    }
                    name = p.getText();
                    where = "input '" + name + "'";
                }
                case "datatype" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw ServeException.badRequest(where + ".datatype must be a string");
                    }
                    datatype = p.getText();
                }
                case "shape" -> shape = shape(p, where, bodyBytes);
                case "parameters" -> {
                    Map<String, Object> params = parameters(p, where + ".parameters");
                    Object size = params.get("binary_data_size");
                    if (size != null) {
                        if (!(size instanceof Long l) || l < 0) {
                            throw ServeException.badRequest(where + ".parameters.binary_data_size must be a "
                                    + "non-negative integer, got " + size);
                        }
                        binarySize = l;
                    }
                }
                case "data" -> {
                    ElementType declared = datatype == null ? null : Datatypes.parse(datatype, where);
                    long limit = shape == null ? bodyBytes : count(shape);
                    values = Values.read(p, declared, limit, where);
                }
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw ServeException.badRequest(where + " has no name");
        }
        if (shape == null) {
            throw ServeException.badRequest(where + " has no shape");
        }
        ElementType type = Datatypes.parse(datatype, where);
        if (binarySize >= 0) {
            if (values != null) {
                throw ServeException.badRequest(where + " has both \"data\" and parameters.binary_data_size");
            }
            return new RawInput(name, type, shape, null, binarySize);
        }
        if (values == null) {
            throw ServeException.badRequest(where + " has no \"data\" (and no binary_data_size parameter)");
        }
        long expected = count(shape);
        if (values.count() != expected) {
            throw ServeException.badRequest(where + " has shape " + Arrays.toString(shape) + " (" + expected
                    + " elements) but its data holds " + values.count() + " values");
        }
        return new RawInput(name, type, shape, values.toTensor(type, shape, where), -1);
    }

    private static int[] shape(JsonParser p, String where, long bodyBytes) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ServeException.badRequest(where + ".shape must be an array of non-negative integers");
        }
        List<Integer> dims = new ArrayList<>();
        long product = 1;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0
                    || p.getLongValue() > Integer.MAX_VALUE) {
                throw ServeException.badRequest(where + ".shape must be an array of non-negative integers, found "
                        + p.getText());
            }
            long d = p.getLongValue();
            product = d == 0 || product == 0 ? 0 : product * d;
            dims.add((int) d);
            // Buffers grow with the data actually sent, never with the declared shape; the element count only has to
            // fit a tensor.
            if (product > Integer.MAX_VALUE || dims.size() > 32) {
                throw ServeException.badRequest(where + ".shape " + dims + (dims.size() > 32 ? " has more than 32 "
                        + "dimensions" : " has more than 2^31-1 elements"));
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static List<InferPayload.RequestedOutput> outputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ServeException.badRequest("\"outputs\" must be an array");
        }
        List<InferPayload.RequestedOutput> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "outputs[" + out.size() + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ServeException.badRequest(where + " must be an object");
            }
            String name = null;
            boolean binary = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("name")) {
                    if (t != JsonToken.VALUE_STRING) {
                        throw ServeException.badRequest(where + ".name must be a string");
                    }
                    name = p.getText();
                } else if (field.equals("parameters")) {
                    binary = Boolean.TRUE.equals(parameters(p, where + ".parameters").get("binary_data"));
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw ServeException.badRequest(where + " has no name");
            }
            out.add(new InferPayload.RequestedOutput(name, binary));
        }
        return out;
    }

    /** A parameters object: string, boolean, integer (Long) or floating (Double) values. */
    private static Map<String, Object> parameters(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ServeException.badRequest(where + " must be an object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            Object v = switch (t) {
                case VALUE_STRING -> p.getText();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NUMBER_INT -> p.getLongValue();
                case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                case VALUE_NULL -> null;
                default -> throw ServeException.badRequest(where + "." + key + " must be a string, number or "
                        + "boolean");
            };
            if (v != null) {
                out.put(key, v);
            }
        }
        return out;
    }

    /** The values of a {@code data} array, flattened, kept exactly for the declared type when it came first. */
    private static final class Values {
        private Tensor values;
        private int count;

        long count() {
            return count;
        }

        static Values read(JsonParser p, ElementType declared, long limit, String where) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw ServeException.badRequest(where + ".data must be an array");
            }
            // Floats parse straight to float (bit-exact round trip); 64-bit integers stay longs; the rest as doubles.
            ElementType storage = declared == ElementType.F32 ? ElementType.F32
                    : declared == ElementType.I64 || declared == ElementType.U64 ? ElementType.I64 : ElementType.F64;
            Values v = new Values();
            v.values = Tensor.allocate(storage, (int) Math.max(1, Math.min(limit, 1 << 16)));
            v.fill(p, limit, where, 0);
            return v;
        }

        private void fill(JsonParser p, long limit, String where, int depth) throws IOException {
            if (depth > 32) {
                throw ServeException.badRequest(where + ".data nests deeper than 32 levels");
            }
            JsonToken tok;
            while ((tok = p.nextToken()) != JsonToken.END_ARRAY) {
                if (tok == null) {
                    throw ServeException.badRequest(where + ".data ends before its closing ']'");
                }
                if (tok == JsonToken.START_ARRAY) {
                    fill(p, limit, where, depth + 1);
                    continue;
                }
                if (count >= limit) {
                    throw ServeException.badRequest(where + ".data holds more values than its shape has elements");
                }
                if (count == values.size()) {
                    Tensor bigger = Tensor.allocate(values.type(), (int) Math.min(limit, (long) count * 2));
                    System.arraycopy(values.array(), 0, bigger.array(), 0, count);
                    values = bigger;
                }
                Tensor t = values;
                switch (tok) {
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        switch (t.type()) {
                            case F32 -> t.floats()[count] = p.getFloatValue();
                            case I64 -> {
                                if (tok != JsonToken.VALUE_NUMBER_INT) {
                                    throw ServeException.badRequest(where + ".data holds " + p.getText()
                                            + ", not an integer");
                                }
                                t.longs()[count] = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                        ? p.getBigIntegerValue().longValue() : p.getLongValue();
                            }
                            default -> t.doubles()[count] = p.getDoubleValue();
                        }
                    }
                    case VALUE_TRUE, VALUE_FALSE -> t.setDouble(count, tok == JsonToken.VALUE_TRUE ? 1 : 0);
                    case VALUE_STRING -> {
                        String s = p.getText();
                        double d = switch (s) {
                            case "NaN" -> Double.NaN;
                            case "Infinity", "inf" -> Double.POSITIVE_INFINITY;
                            case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
                            default -> throw ServeException.badRequest(where + ".data holds the string \"" + s
                                    + "\"; tensor data are numbers or booleans");
                        };
                        if (!t.type().isFloating()) {
                            throw ServeException.badRequest(where + ".data holds \"" + s + "\" for an integer "
                                    + "tensor");
                        }
                        t.setDouble(count, d);
                    }
                    default -> throw ServeException.badRequest(where + ".data holds " + tok + "; tensor data are "
                            + "numbers or booleans");
                }
                count++;
            }
        }

        /** The values as a tensor of the declared type and shape. */
        Tensor toTensor(ElementType type, int[] shape, String where) {
            Tensor flat = Tensor.wrap(values.type(), new int[] {count}, values.array());
            Tensor typed;
            if (values.type() == type) {
                typed = flat.copy();
            } else if (type.isFloating() || values.type() == ElementType.I64) {
                typed = flat.convertTo(type);
            } else {
                typed = Datatypes.convert(flat, type, where + " (declared " + Datatypes.name(type) + ")");
            }
            return typed.reshape(shape);
        }
    }

    /** Encodes a response; binary outputs follow the JSON part. */
    public static Encoded encodeResponse(String model, String version, String id, List<OutputPart> outputs) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        List<byte[]> binary = new ArrayList<>();
        try (JsonGenerator g = FACTORY.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeArrayFieldStart("outputs");
            for (OutputPart o : outputs) {
                Tensor t = o.tensor();
                g.writeStartObject();
                g.writeStringField("name", o.name());
                g.writeStringField("datatype", Datatypes.name(t.type()));
                g.writeArrayFieldStart("shape");
                for (int d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                if (o.binary()) {
                    byte[] raw = TensorBytes.toLittleEndian(t);
                    binary.add(raw);
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField("binary_data_size", raw.length);
                    g.writeEndObject();
                } else {
                    g.writeArrayFieldStart("data");
                    writeData(g, t);
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
        if (binary.isEmpty()) {
            return new Encoded(json.toByteArray(), -1);
        }
        int jsonLength = json.size();
        for (byte[] b : binary) {
            json.writeBytes(b);
        }
        return new Encoded(json.toByteArray(), jsonLength);
    }

    private static void writeData(JsonGenerator g, Tensor t) throws IOException {
        int n = t.size();
        switch (t.type()) {
            case F32 -> {
                float[] a = t.floats();
                for (int i = 0; i < n; i++) {
                    g.writeNumber(a[i]);
                }
            }
            case F64 -> {
                double[] a = t.doubles();
                for (int i = 0; i < n; i++) {
                    g.writeNumber(a[i]);
                }
            }
            case F16, BF16 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber((float) t.getDouble(i));
                }
            }
            case BOOLEAN -> {
                byte[] a = t.bytes();
                for (int i = 0; i < n; i++) {
                    g.writeBoolean(a[i] != 0);
                }
            }
            case U64 -> {
                long[] a = t.longs();
                for (int i = 0; i < n; i++) {
                    g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(a[i])));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(t.getLong(i));
                }
            }
        }
    }

    /** {@code {"error": message}}. */
    public static byte[] error(String message) {
        return json(Map.of("error", message == null ? "error" : message));
    }

    /** Any value as JSON bytes. */
    public static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
