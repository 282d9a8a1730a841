package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.device.Device;
import dev.infero.core.graph.Graph;
import dev.infero.ir.IrReader;
import dev.infero.onnx.OnnxImporter;
import dev.infero.transforms.Optimizations;
import dev.infero.transforms.PassManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Entry point of the runtime API: reads models and compiles them for a device.
 *
 * <pre>{@code
 * try (var core = new Core()) {
 *     Model model = core.readModel(Path.of("blazeface.onnx"));
 *     CompiledModel compiled = core.compileModel(model, "CPU");
 *     InferRequest request = compiled.createInferRequest();
 *     request.setInput(0, Tensor.of(floats, 1, 3, 128, 128));
 *     request.infer();
 *     Tensor scores = request.getOutput(0);
 * }
 * }</pre>
 *
 * <p>Throughput: compile with a hint and keep every stream busy with an {@link AsyncInferQueue}:
 * <pre>{@code
 * CompiledModel compiled = core.compileModel(model, "CPU", Map.of("PERFORMANCE_HINT", "THROUGHPUT"));
 * int streams = Integer.parseInt(compiled.property("NUM_STREAMS"));
 * try (var queue = new AsyncInferQueue<Integer>(compiled, 0)) {
 *     queue.setCallback((request, frame, failure) -> save(frame, request.getOutput(0).copy()));
 *     for (int frame = 0; frame < frames.size(); frame++) {
 *         queue.startAsync(List.of(frames.get(frame)), frame);
 *     }
 *     queue.waitAll();
 * }
 * }</pre>
 * Configuration keys (OpenVINO's): {@code PERFORMANCE_HINT} (LATENCY, THROUGHPUT, NONE), {@code NUM_STREAMS},
 * {@code INFERENCE_NUM_THREADS}, {@code PERFORMANCE_HINT_NUM_REQUESTS}, {@code PERF_COUNT}; see
 * {@link dev.infero.core.device.ExecutionConfig}.
 */
public final class Core implements AutoCloseable {
    /** Graph metadata key holding the absolute path of the file a model was read from. */
    public static final String SOURCE_PATH = "source_path";

    private final Map<String, Device> devices = new LinkedHashMap<>();

    public Core() {
        for (Device d : ServiceLoader.load(Device.class)) {
            devices.putIfAbsent(d.name().toUpperCase(Locale.ROOT), d);
        }
    }

    /** Names of the devices models can be compiled for. */
    public List<String> availableDevices() {
        return List.copyOf(devices.keySet());
    }

    /** Reads a model file; the format is chosen by extension: {@code .onnx}, or {@code .xml} (OpenVINO IR). */
    public Model readModel(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.exists(file)) {
            throw new InferoException("model file " + file + " does not exist");
        }
        Graph graph;
        if (name.endsWith(".onnx")) {
            graph = OnnxImporter.read(file);
        } else if (name.endsWith(".xml")) {
            graph = IrReader.read(file);
        } else {
            throw new InferoException("cannot read " + file
                    + ": unknown model format (expected .onnx or OpenVINO IR .xml)");
        }
        // Devices that run the original file rather than the graph (the optional ONNX Runtime device) find it here.
        graph.metadata().put(SOURCE_PATH, file.toAbsolutePath().toString());
        return new Model(graph);
    }

    /** Wraps a graph built in code. */
    public Model model(Graph graph) {
        return new Model(graph);
    }

    public CompiledModel compileModel(Model model, String device) {
        return compileModel(model, device, Map.of());
    }

    public CompiledModel compileModel(Model model, String device, Map<String, String> config) {
        Device d = devices.get(device.toUpperCase(Locale.ROOT));
        if (d == null) {
            throw new InferoException("unknown device '" + device + "'; available: " + String.join(", ", devices.keySet()));
        }
        // As OpenVINO's CPU plugin does, compiling optimizes a copy of the graph (see Optimizations.atCompile): an ONNX
        // model read as it is runs as fast as its converted IR.
        Graph optimized = model.graph().copy();
        new PassManager(Optimizations.atCompile()).run(optimized);
        return new CompiledModel(d.compile(optimized, config), d.name());
    }

    /** Reads and compiles in one step. */
    public CompiledModel compileModel(Path file, String device) {
        return compileModel(readModel(file), device);
    }

    @Override
    public void close() {
    }
}
