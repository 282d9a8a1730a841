package dev.infero.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.StreamExecutor;
import dev.infero.core.graph.Graph;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/** An ONNX Runtime session; {@code OrtSession.run} is thread-safe, so requests share it. */
final class OrtExecutable implements Executable {
    private final OrtSession session;
    private final List<PortInfo> inputs;
    private final List<PortInfo> outputs;
    private final StreamExecutor streams;
    private final Map<String, String> properties;
    private final List<String> ortInputs;
    private final List<String> ortOutputs;
    private final OrtProfiling profiling;

    /**
     * {@code ortInputs}/{@code ortOutputs}: the session's names of the graph's ports, in order, or null when the
     * session's names are the ports' names (an ONNX file); {@code model}: what ORT runs, for {@code EXECUTED_MODEL};
     * {@code profiling}: the session's profile (PERF_COUNT=YES), or null.
     */
    OrtExecutable(Graph graph, OrtSession session, ExecutionConfig config, List<String> ortInputs,
                  List<String> ortOutputs, String model, OrtProfiling profiling) {
        this.session = session;
        this.profiling = profiling;
        this.inputs = graph.parameters().stream().map(n -> PortInfo.of(n.output(0))).toList();
        this.outputs = graph.results().stream().map(n -> PortInfo.of(n.output(0))).toList();
        this.ortInputs = ortInputs != null ? ortInputs : inputs.stream().map(PortInfo::name).toList();
        this.ortOutputs = ortOutputs != null ? ortOutputs : outputs.stream().map(PortInfo::name).toList();
        this.streams = new StreamExecutor("infero-ORT", config.streams(), config.threadsPerStream());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("NETWORK_NAME", graph.name());
        p.putAll(config.properties());
        p.put("PERF_COUNT", profiling != null ? "YES" : "NO");
        p.put("EXECUTION_DEVICES", "ORT (ONNX Runtime CPU)");
        p.put(OrtDevice.MODEL_PROPERTY, model);
        if (profiling != null) {
            p.put(Executable.EXECUTED_MODEL_FILE, profiling.executedModel().toString());
            p.put(Executable.OPTIMIZED_MODEL_FILE, profiling.optimizedModel().toString());
            p.put(Executable.PROFILE_SCOPE, Executable.PROFILE_SCOPE_SESSION);
        }
        this.properties = Collections.unmodifiableMap(p);
    }

    @Override
    public List<PortInfo> inputs() {
        return inputs;
    }

    @Override
    public List<PortInfo> outputs() {
        return outputs;
    }

    @Override
    public ExecutionRequest newRequest() {
        return new OrtRequest(session, inputs, ortInputs, ortOutputs, profiling);
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public Executor streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new dev.infero.core.InferoException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            if (profiling != null) {
                profiling.close();
            }
        }
    }
}
