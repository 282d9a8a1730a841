package dev.infero.ort;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.InferoException;
import dev.infero.core.device.ProfilingInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's profile ({@code SessionOptions.enableProfiling}): a Chrome trace, a JSON array of events. Each run
 * of a node is an event {@code "cat": "Node"} named {@code <node>_kernel_time} with its duration {@code dur} in
 * microseconds and {@code args.op_name} / {@code args.provider}; the other events (session, model run) are skipped.
 * The file is read as a stream (a long profiled run holds many events).
 */
final class OrtProfile {
    private static final String KERNEL_SUFFIX = "_kernel_time";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One node over all profiled runs: its kernel, provider, durations in run order (µs). */
    record NodeTimes(String node, String opName, String provider, long[] micros) {
        /** The median duration, in nanoseconds. */
        long medianNanos() {
            long[] sorted = micros.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2] * 1000;
        }
    }

    private OrtProfile() {
    }

    /** The nodes of {@code file} in the order of their first run; empty when it holds no node event. */
    static List<NodeTimes> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InferoException("ONNX Runtime's profile " + file + " does not exist");
        }
        Map<String, Acc> nodes = new LinkedHashMap<>();
        try (JsonParser p = MAPPER.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw garbled(file, "it does not start with '[' (a JSON array of trace events)");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    throw garbled(file, "it ends before its closing ']'");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw garbled(file, "an element of its array is " + t + ", not an event object");
                }
                JsonNode e = MAPPER.readTree(p);
                String name = e.path("name").asText("");
                if (!"Node".equals(e.path("cat").asText()) || !name.endsWith(KERNEL_SUFFIX)) {
                    continue;
                }
                JsonNode dur = e.get("dur");
                if (dur == null || !dur.canConvertToLong() || dur.asLong() < 0) {
                    throw garbled(file, "event '" + name + "' has no duration 'dur' in microseconds (got "
                            + dur + ")");
                }
                String node = name.substring(0, name.length() - KERNEL_SUFFIX.length());
                JsonNode args = e.path("args");
                nodes.computeIfAbsent(node, k -> new Acc(args.path("op_name").asText("?"),
                        args.path("provider").asText("?"))).add(dur.asLong());
            }
        } catch (IOException e) {
            throw garbled(file, e.getMessage().lines().findFirst().orElse(e.toString()));
        }
        List<NodeTimes> out = new ArrayList<>();
        nodes.forEach((name, a) -> out.add(new NodeTimes(name, a.opName, a.provider,
                Arrays.copyOf(a.micros, a.count))));
        return out;
    }

    /**
     * The counters of {@code nodes}: each node's median over the profiled runs; its type is the kernel as the
     * optimized graph names it ({@code kernels}: node name to kernel, e.g. {@code NchwcConv}), or the profile's
     * {@code op_name}; its exec type the execution provider ({@code CPUExecutionProvider} → {@code CPU}).
     */
    static List<ProfilingInfo> counters(List<NodeTimes> nodes, Map<String, String> kernels) {
        List<ProfilingInfo> out = new ArrayList<>();
        for (NodeTimes n : nodes) {
            String provider = n.provider().endsWith("ExecutionProvider")
                    ? n.provider().substring(0, n.provider().length() - "ExecutionProvider".length()) : n.provider();
            out.add(new ProfilingInfo(n.node(), kernels.getOrDefault(n.node(), n.opName()),
                    ProfilingInfo.Status.EXECUTED, provider, n.medianNanos()));
        }
        return out;
    }

    private static InferoException garbled(Path file, String why) {
        return new InferoException("ONNX Runtime's profile " + file + " cannot be read: " + why);
    }

    private static final class Acc {
        final String opName;
        final String provider;
        long[] micros = new long[8];
        int count;

        Acc(String opName, String provider) {
            this.opName = opName;
            this.provider = provider;
        }

        void add(long us) {
            if (count == micros.length) {
                micros = Arrays.copyOf(micros, count * 2);
            }
            micros[count++] = us;
        }
    }
}
