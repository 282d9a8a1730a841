package dev.infero.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.Executable;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.OnnxModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PERF_COUNT=YES on ORT: per-node counters from ONNX Runtime's profile, and what a broken profile gives. */
class OrtProfilingTest {
    @TempDir
    Path dir;

    /** conv (3x3, 4→8) → relu → global average pool, with named nodes. */
    private Graph model(boolean fromFile) {
        Path file = dir.resolve("conv.onnx");
        float[] w = new float[8 * 4 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7 - 3) * 0.1f;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("conv", 17)
                .input("x", ElementType.F32, 1, 4, 16, 16)
                .initializer("w", Tensor.of(w, 8, 4, 3, 3))
                .output("y", ElementType.F32);
        b.node("Conv", "conv").inputs("x", "w").outputs("c").attrInts("pads", new long[] {1, 1, 1, 1});
        b.node("Relu", "relu").inputs("c").outputs("r");
        b.node("GlobalAveragePool", "pool").inputs("r").outputs("y");
        b.write(file);
        Graph g = OnnxImporter.read(file);
        g.metadata().put(OrtDevice.SOURCE_PATH, fromFile ? file.toString() : "/models/conv.xml");
        return g;
    }

    @Test
    void perfCountGivesEachNodesMedianTimeAndTheGraphFiles() throws IOException {
        for (boolean fromFile : new boolean[] {true, false}) {
            Path profileDir;
            try (Executable exe = new OrtDevice().compile(model(fromFile), Map.of("PERF_COUNT", "YES"))) {
                assertEquals("YES", exe.properties().get("PERF_COUNT"));
                assertEquals(Executable.PROFILE_SCOPE_SESSION, exe.properties().get(Executable.PROFILE_SCOPE));
                Path optimized = Path.of(exe.properties().get(Executable.OPTIMIZED_MODEL_FILE));
                Path executed = Path.of(exe.properties().get(Executable.EXECUTED_MODEL_FILE));
                profileDir = optimized.getParent();
                assertTrue(Files.isRegularFile(optimized), "ORT wrote its optimized graph");
                assertTrue(Files.isRegularFile(executed), executed.toString());
                assertEquals(fromFile, executed.equals(dir.resolve("conv.onnx")), executed.toString());
                ExecutionRequest r = exe.newRequest();
                r.setInput(0, Tensor.of(new float[4 * 16 * 16], 1, 4, 16, 16));
                for (int i = 0; i < 5; i++) {
                    r.run();
                }
                List<ProfilingInfo> counters = r.profilingInfo();
                assertFalse(counters.isEmpty());
                for (ProfilingInfo p : counters) {
                    assertTrue(p.realTimeNanos() >= 0, p.toString());
                    assertEquals(ProfilingInfo.Status.EXECUTED, p.status());
                    assertEquals("CPU", p.execType(), p.toString());
                }
                assertTrue(counters.stream().anyMatch(p -> p.nodeType().endsWith("Conv")), counters.toString());
                assertEquals(counters, exe.newRequest().profilingInfo(), "the profile is read once, then kept");
                r.run();
                try (var files = Files.list(profileDir)) {
                    assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("profile")),
                            "the profile file is deleted once read");
                }
            }
            assertFalse(Files.exists(profileDir), "closing deletes the profile directory");
        }
    }

    @Test
    void withoutPerfCountThereAreNoCountersAndNoFiles() {
        try (Executable exe = new OrtDevice().compile(model(true), Map.of())) {
            assertEquals("NO", exe.properties().get("PERF_COUNT"));
            assertFalse(exe.properties().containsKey(Executable.OPTIMIZED_MODEL_FILE));
            ExecutionRequest r = exe.newRequest();
            r.setInput(0, Tensor.of(new float[4 * 16 * 16], 1, 4, 16, 16));
            r.run();
            assertTrue(r.profilingInfo().isEmpty());
        }
    }

    @Test
    void readsNodeEventsAsMediansAndSkipsTheRest() throws IOException {
        Path file = dir.resolve("p.json");
        Files.writeString(file, """
                [{"cat":"Session","name":"model_run","dur":900},
                 {"cat":"Node","name":"a_kernel_time","dur":10,"args":{"op_name":"Conv","provider":"CPUExecutionProvider"}},
                 {"cat":"Node","name":"a_fence_before","dur":1},
                 {"cat":"Node","name":"b_kernel_time","dur":5,"args":{"op_name":"Relu","provider":"CPUExecutionProvider"}},
                 {"cat":"Node","name":"a_kernel_time","dur":30,"args":{"op_name":"Conv","provider":"CPUExecutionProvider"}},
                 {"cat":"Node","name":"a_kernel_time","dur":20,"args":{"op_name":"Conv","provider":"CPUExecutionProvider"}}
                ]""");
        List<ProfilingInfo> c = OrtProfile.counters(OrtProfile.read(file), Map.of("a", "NchwcConv"));
        assertEquals(List.of(new ProfilingInfo("a", "NchwcConv", ProfilingInfo.Status.EXECUTED, "CPU", 20_000),
                new ProfilingInfo("b", "Relu", ProfilingInfo.Status.EXECUTED, "CPU", 5_000)), c);
    }

    @Test
    void aMissingOrGarbledProfileIsOneErrorNamingTheFile() throws IOException {
        Path missing = dir.resolve("none.json");
        assertEquals("ONNX Runtime's profile " + missing + " does not exist",
                assertThrows(InferoException.class, () -> OrtProfile.read(missing)).getMessage());
        for (String text : new String[] {"{\"cat\":\"Node\"}", "[{\"cat\":\"Node\",\"name\":\"a_kernel_time\"}]",
                "[{\"cat\":\"Node\",", "not json", "[1, 2]"}) {
            Path f = Files.writeString(dir.resolve("bad.json"), text);
            String m = assertThrows(InferoException.class, () -> OrtProfile.read(f)).getMessage();
            assertTrue(m.startsWith("ONNX Runtime's profile " + f + " cannot be read: "), m);
            assertFalse(m.contains("\n"), m);
        }
    }
}
