package dev.infero.api;

import dev.infero.core.InferoException;
import dev.infero.core.device.Device;
import dev.infero.core.graph.Graph;
import dev.infero.ir.IrReader;
import dev.infero.onnx.OnnxImporter;
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
 */
public final class Core implements AutoCloseable {
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
        if (name.endsWith(".onnx")) {
            return new Model(OnnxImporter.read(file));
        }
        if (name.endsWith(".xml")) {
            return new Model(IrReader.read(file));
        }
        throw new InferoException("cannot read " + file + ": unknown model format (expected .onnx or OpenVINO IR .xml)");
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
        return new CompiledModel(d.compile(model.graph(), config), d.name());
    }

    /** Reads and compiles in one step. */
    public CompiledModel compileModel(Path file, String device) {
        return compileModel(readModel(file), device);
    }

    @Override
    public void close() {
    }
}
