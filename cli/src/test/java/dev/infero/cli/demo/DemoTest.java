package dev.infero.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.cli.Main;
import dev.infero.core.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
    void syntheticImagesAreDeterministicPicturesInTheUnitRange() {
        List<Tensor> a = SyntheticImages.generate(3, 7);
        List<Tensor> b = SyntheticImages.generate(3, 7);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray());
            for (float v : a.get(i).toFloatArray()) {
                assertTrue(v >= 0 && v <= 1, "pixel " + v);
            }
        }
        assertFalse(Arrays.equals(a.get(0).toFloatArray(), a.get(1).toFloatArray()), "pictures differ");
    }

    @Test
    void demoRunsThePathAndIsDeterministic() {
        String first = demo(dir.resolve("a"));
        String second = demo(dir.resolve("b"));
        for (String file : List.of("demo.onnx", "demo_fp32.xml", "demo_fp32.bin", "demo_fp16.xml", "demo_fp16.bin",
                "demo_int8.xml", "demo_int8.bin")) {
            assertTrue(Files.isRegularFile(dir.resolve("a").resolve(file)), file);
        }
        for (String section : List.of("Model ", "Convert ", "Quantize ", "Benchmark ", "Drift ", "Top-3 ")) {
            assertTrue(first.lines().anyMatch(l -> l.startsWith(section)), section + " in\n" + first);
        }
        assertEquals(deterministicLines(first), deterministicLines(second));

        long fp32 = bin(first, "FP32");
        long fp16 = bin(first, "FP16");
        long int8 = bin(first, "INT8");
        assertTrue(fp16 < fp32 * 0.6 && int8 < fp16, "sizes " + fp32 + " " + fp16 + " " + int8);

        String[] fp16Drift = row(first, "FP16", 5);
        assertTrue(Double.parseDouble(fp16Drift[1]) < 1e-3, "FP16 max abs error " + fp16Drift[1]);
        assertTrue(Double.parseDouble(fp16Drift[2]) > 0.99999, "FP16 cosine " + fp16Drift[2]);
        assertTrue(Double.parseDouble(fp16Drift[3]) > 60, "FP16 SQNR " + fp16Drift[3]);
        assertEquals("100.0%", fp16Drift[4]);
        String[] int8Drift = row(first, "INT8", 5);
        assertTrue(Double.parseDouble(int8Drift[2]) > 0.999, "INT8 cosine " + int8Drift[2]);
        assertTrue(Double.parseDouble(int8Drift[4].replace("%", "")) >= 90, "INT8 top-1 " + int8Drift[4]);
    }

    @Test
    void temporaryFilesAreDeletedWithoutOutputDir() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "-t", "1"),
                err.toString());
        assertTrue(out.toString().contains("in a temporary folder, deleted"), out.toString());
    }

    private static String demo(Path outDir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--output-dir",
                outDir.toString(), "--time", "20");
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    /** Everything but timings and the folder: the model line, the drift rows and the top-3. */
    private static List<String> deterministicLines(String text) {
        return text.lines().filter(l -> l.startsWith("Model ") || l.startsWith("Top-3 ")
                || (l.startsWith("  FP16") || l.startsWith("  INT8")) && l.contains("%")).toList();
    }

    /** The fields of the row of {@code variant} with {@code fields} columns. */
    private static String[] row(String text, String variant, int fields) {
        return text.lines().map(String::trim).map(l -> l.split("\\s+"))
                .filter(f -> f[0].equals(variant) && f.length == fields).findFirst().orElseThrow();
    }

    /** The .bin bytes of a benchmark row: variant, bytes, median, mean, images/s, warm-up s (and maybe a note). */
    private static long bin(String text, String variant) {
        String[] row = text.lines().map(String::trim).map(l -> l.split("\\s+"))
                .filter(f -> f[0].equals(variant) && f.length >= 6).findFirst().orElseThrow();
        return Long.parseLong(row[1].replace(",", ""));
    }
}
