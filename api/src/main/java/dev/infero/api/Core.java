package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.device.Device;
import dev.infero.core.graph.Graph;
import dev.infero.core.frontend.Frontends;
import dev.infero.core.frontend.ModelSource;
import dev.infero.transforms.Optimizations;
import dev.infero.transforms.PassManager;
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
    private final Frontends frontends = new Frontends();
    private final Lifecycle lifecycle = new Lifecycle("Core");

    public Core() {
        for (Device d : ServiceLoader.load(Device.class)) {
            devices.putIfAbsent(d.name().toUpperCase(Locale.ROOT), d);
        }
    }

    /** Names of the devices models can be compiled for. */
    public List<String> availableDevices() {
        return List.copyOf(devices.keySet());
    }

    /**
     * Reads a model file; the frontend is chosen by content and name (see {@link Frontends}): ONNX, OpenVINO IR
     * {@code .xml}, and every other frontend module on the class path.
     */
    public Model readModel(Path file) {
        return readModel(ModelSource.of(file));
    }

    /** Reads a model given with its companion files or an explicit framework (Model Optimizer's options). */
    public Model readModel(ModelSource source) {
        lifecycle.check("read a model");
        Graph graph = frontends.read(source);
        // Devices that run the original file rather than the graph (the optional ONNX Runtime device) find it here.
        graph.metadata().put(SOURCE_PATH, source.model().toAbsolutePath().toString());
        return new Model(graph);
    }

    /** The model formats this runtime reads. */
    public List<String> availableFrontends() {
        return frontends.names();
    }

    /** Wraps a graph built in code. */
    public Model model(Graph graph) {
        return new Model(graph);
    }

    public CompiledModel compileModel(Model model, String device) {
        return compileModel(model, device, Map.of());
    }

    public CompiledModel compileModel(Model model, String device, Map<String, String> config) {
        lifecycle.check("compile a model");
        Device d = devices.get(device.toUpperCase(Locale.ROOT));
        if (d == null) {
            throw new InferoException("unknown device '" + device + "'; available: " + String.join(", ", devices.keySet()));
        }
        // As OpenVINO's CPU plugin does, compiling optimizes a copy of the graph (see Optimizations.atCompile): an ONNX
        // model read as it is runs as fast as its converted IR. A device that runs another runtime (ORT) gets the graph
        // as it was imported: that runtime optimizes it itself.
        Graph optimized = model.graph().copy();
        if (!d.takesImportedGraph()) {
            new PassManager(Optimizations.atCompile()).run(optimized);
        }
        return new CompiledModel(d.compile(optimized, config), d.name());
    }

    /** Reads and compiles in one step. */
    public CompiledModel compileModel(Path file, String device) {
        return compileModel(readModel(file), device);
    }

    /**
     * Closes this Core: reading and compiling models through it throw {@link IllegalStateException} afterwards.
     * Compiled models are resources of their own, as in OpenVINO (a compiled model outlives its Core): close each
     * {@link CompiledModel} to release its threads and generated code.
     */
    @Override
    public void close() {
        lifecycle.close();
    }
}
