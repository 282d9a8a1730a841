package dev.infero.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.InferoException;
import dev.infero.core.device.Device;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import java.util.Locale;
import java.util.Map;

/**
 * Device {@code ORT}: runs the original ONNX file on ONNX Runtime Java (all graph optimizations on), so the same
 * benchmark compares Infero's CPU device with ONNX Runtime. Optional: it registers through
 * {@link java.util.ServiceLoader} when this module's jar is on the class path, and nothing depends on it.
 *
 * <p>The model file comes from the graph metadata key {@code source_path} that {@code Core.readModel} sets; models
 * built in code or read from IR cannot run here. Streams and threads follow {@link ExecutionConfig}: each stream runs
 * one session call at a time with {@code threadsPerStream} intra-op threads.
 */
public final class OrtDevice implements Device {
    /** Graph metadata key with the model file's path (see {@code dev.infero.api.Core#SOURCE_PATH}). */
    public static final String SOURCE_PATH = "source_path";

    @Override
    public String name() {
        return "ORT";
    }

    @Override
    public Executable compile(Graph graph, Map<String, String> config) {
        String path = graph.metadata().get(SOURCE_PATH);
        if (path == null || !path.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new InferoException("device ORT runs ONNX files only; model '" + graph.name() + "' was "
                    + (path == null ? "not read from a file" : "read from " + path));
        }
        ExecutionConfig settings = ExecutionConfig.resolve(config, Runtime.getRuntime().availableProcessors());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(settings.threadsPerStream());
            options.setInterOpNumThreads(1);
            OrtSession session = env.createSession(path, options);
            return new OrtExecutable(graph, session, settings);
        } catch (OrtException e) {
            throw new InferoException("ONNX Runtime cannot load " + path + ": " + e.getMessage(), e);
        }
    }
}
