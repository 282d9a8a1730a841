package dev.infero.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.infero.core.InferoException;
import dev.infero.core.device.Device;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import dev.infero.onnx.OnnxExporter;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Device {@code ORT}: runs a model on ONNX Runtime Java (all graph optimizations on), so the same benchmark compares
 * Infero's CPU device with ONNX Runtime. Optional: it registers through {@link java.util.ServiceLoader} when this
 * module's jar is on the class path, and nothing depends on it.
 *
 * <p>A model read from an {@code .onnx} file (graph metadata key {@code source_path}, which {@code Core.readModel}
 * sets) runs from that file as it is. Any other graph (read from IR, TensorFlow, TFLite, Caffe or MXNet files, or
 * built in code) is exported to ONNX in memory with {@link OnnxExporter} (opset {@value OnnxExporter#OPSET}) and
 * that model runs, so both devices run the same network; an op without an ONNX mapping fails the compile with one
 * error listing them. The property {@code EXECUTED_MODEL} says which of the two ORT runs. The device is given the
 * graph as its frontend imported it ({@link #takesImportedGraph()}): ONNX Runtime optimizes it itself.
 *
 * <p>Streams and threads follow {@link ExecutionConfig}: each stream runs one session call at a time with
 * {@code threadsPerStream} intra-op threads.
 *
 * <p>With {@code PERF_COUNT=YES} the session is profiled ({@link OrtProfiling}): requests report per-node counters
 * (each node's median over the runs until the first {@code profilingInfo()} call, which ends ONNX Runtime's profile),
 * and the properties {@link Executable#EXECUTED_MODEL_FILE} and {@link Executable#OPTIMIZED_MODEL_FILE} name the ONNX
 * file ORT was given and the graph ORT optimized it into, whose node names the counters carry.
 */
public final class OrtDevice implements Device {
    /** Graph metadata key with the model file's path (see {@code dev.infero.api.Core#SOURCE_PATH}). */
    public static final String SOURCE_PATH = "source_path";
    /** Executable property: what ONNX Runtime runs, the ONNX file or the model exported to ONNX. */
    public static final String MODEL_PROPERTY = Executable.EXECUTED_MODEL;

    @Override
    public String name() {
        return "ORT";
    }

    @Override
    public boolean takesImportedGraph() {
        return true;
    }

    @Override
    public Executable compile(Graph graph, Map<String, String> config) {
        String path = graph.metadata().get(SOURCE_PATH);
        boolean onnxFile = path != null && path.toLowerCase(Locale.ROOT).endsWith(".onnx");
        ExecutionConfig settings = ExecutionConfig.resolve(config, Runtime.getRuntime().availableProcessors());
        // Not an ONNX file: the graph as ONNX, named ports in the graph's order (parameters, results).
        ModelProto exported = onnxFile ? null : OnnxExporter.export(graph);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] bytes = exported == null ? null : exported.toByteArray();
        OrtProfiling profiling = settings.perfCount() ? OrtProfiling.create(onnxFile ? path : null, bytes) : null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(settings.threadsPerStream());
            options.setInterOpNumThreads(1);
            if (profiling != null) {
                profiling.configure(options);
                // Writing a graph with NCHWc kernels logs a warning that it only fits this machine; it is read here.
                options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            }
            OrtSession session = onnxFile ? env.createSession(path, options) : env.createSession(bytes, options);
            if (profiling != null) {
                profiling.attach(session);
            }
            return onnxFile
                    ? new OrtExecutable(graph, session, settings, null, null, "the ONNX file " + path, profiling)
                    : new OrtExecutable(graph, session, settings, names(exported.getGraph().getInputList()),
                    names(exported.getGraph().getOutputList()), exportedDescription(), profiling);
        } catch (OrtException e) {
            if (profiling != null) {
                profiling.close();
            }
            throw new InferoException("ONNX Runtime cannot load " + (onnxFile ? path : "the ONNX export of model '"
                    + graph.name() + "'" + (path == null ? "" : " (read from " + path + ")")) + ": " + e.getMessage(), e);
        }
    }

    /** What {@code EXECUTED_MODEL} says of a model that ORT runs from its export. */
    public static String exportedDescription() {
        return "the model exported to ONNX opset " + OnnxExporter.OPSET;
    }

    private static List<String> names(List<ValueInfoProto> values) {
        return values.stream().map(ValueInfoProto::getName).toList();
    }
}
