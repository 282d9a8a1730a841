package dev.infero.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Device;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtDeviceTest {
    @TempDir
    Path dir;

    private Graph model() {
        Path file = dir.resolve("affine.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("affine", 17)
                .input("x", ElementType.F32, -1, 4)
                .initializer("w", Tensor.of(new float[] {1, 2, 3, 4}, 4))
                .output("y", ElementType.F32);
        b.node("Mul", "mul").inputs("x", "w").outputs("t");
        b.node("Add", "add").inputs("t", "w").outputs("y");
        b.write(file);
        Graph g = OnnxImporter.read(file);
        g.metadata().put(OrtDevice.SOURCE_PATH, file.toString());
        return g;
    }

    @Test
    void isFoundByTheServiceLoader() {
        assertTrue(ServiceLoader.load(Device.class).stream().anyMatch(p -> p.type() == OrtDevice.class));
    }

    @Test
    void runsTheOnnxFileOnOnnxRuntimeWithStreams() {
        try (Executable exe = new OrtDevice().compile(model(), Map.of("PERFORMANCE_HINT", "THROUGHPUT",
                "NUM_STREAMS", "2"))) {
            assertEquals("2", exe.properties().get("NUM_STREAMS"));
            assertEquals("x", exe.inputs().getFirst().name());
            CompletableFuture<?>[] runs = IntStream.range(0, 50).mapToObj(i -> CompletableFuture.runAsync(() -> {
                ExecutionRequest r = exe.newRequest();
                r.setInput(0, Tensor.of(new float[] {i, i, i, i, 1, 1, 1, 1}, 2, 4));
                r.run();
                assertArrayEquals(new float[] {i + 1, 2 * (i + 1), 3 * (i + 1), 4 * (i + 1), 2, 4, 6, 8}, r.output(0).floats(), 1e-6f);
            }, exe.streams())).toArray(CompletableFuture[]::new);
            CompletableFuture.allOf(runs).join();
        }
    }

    @Test
    void runsAModelNotReadFromAnOnnxFileAsItsOnnxExport() {
        Graph g = model();
        try (Executable file = new OrtDevice().compile(g, Map.of())) {
            assertEquals("the ONNX file " + dir.resolve("affine.onnx"), file.properties().get(Executable.EXECUTED_MODEL));
        }
        g.metadata().put(OrtDevice.SOURCE_PATH, "/models/a.xml");
        try (Executable exported = new OrtDevice().compile(g, Map.of())) {
            assertEquals("the model exported to ONNX opset 18", exported.properties().get(Executable.EXECUTED_MODEL));
            ExecutionRequest r = exported.newRequest();
            r.setInput(0, Tensor.of(new float[] {1, 2, 3, 4}, 1, 4));
            r.run();
            assertArrayEquals(new float[] {2, 6, 12, 20}, r.output(0).floats(), 1e-6f);
        }
    }
}
