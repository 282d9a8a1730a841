package dev.infero.core.device;

import dev.infero.core.graph.Graph;
import java.util.Map;

/**
 * A device plugin: turns a graph into an executable for its hardware. Devices are found with
 * {@link java.util.ServiceLoader}, so optional ones (such as an ONNX Runtime bridge) plug in without the core
 * depending on them.
 */
public interface Device {
    /** The name users select the device by, e.g. {@code CPU}. */
    String name();

    /** Compiles {@code graph}; the graph is not modified and may be compiled again. */
    Executable compile(Graph graph, Map<String, String> config);

    /**
     * Whether this device is given the graph as its frontend read it, without the compile-time passes the runtime
     * otherwise applies first ({@code Optimizations.atCompile}): true for a device that hands the model to another
     * runtime, which optimizes it itself (the ONNX Runtime device), so that it runs the network the file describes.
     */
    default boolean takesImportedGraph() {
        return false;
    }
}
