package dev.infero.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm and Softmax. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void demoModelOutputsAProbabilityDistribution() {
        Path file = dir.resolve("demo.onnx");
        DemoModel.build(1).write(file);
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(file, "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setInput(DemoModel.INPUT, DemoModel.syntheticImage());
            request.infer();
            float[] p = request.getOutput(DemoModel.OUTPUT).toFloatArray();
            assertEquals(DemoModel.CLASSES, p.length);
            double sum = 0;
            float max = 0;
            for (float v : p) {
                assertTrue(v >= 0 && v <= 1, "probability " + v);
                sum += v;
                max = Math.max(max, v);
            }
            assertEquals(1.0, sum, 1e-5);
            assertTrue(max < 0.999, "weights keep the output from saturating: " + max);
        }
    }

    @Test
    void demoCommandIsDeterministic() {
        String first = demo(dir.resolve("a"));
        String second = demo(dir.resolve("b"));
        assertTrue(Files.isRegularFile(dir.resolve("a/demo.onnx")));
        assertArrayEquals(top3(first), top3(second));
        assertTrue(first.contains("Top-3 classes of the synthetic image:"), first);
    }

    private static String demo(Path outDir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--output-dir",
                outDir.toString(), "-n", "2");
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    private static String[] top3(String text) {
        return text.lines().filter(l -> l.startsWith("  class ")).toArray(String[]::new);
    }
}
