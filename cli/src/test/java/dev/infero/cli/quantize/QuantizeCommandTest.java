package dev.infero.cli.quantize;

import static dev.infero.testing.RandomData.normal;
import static dev.infero.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.cli.CliRun;
import dev.infero.cli.Main;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code infero quantize} from a POT config and from options, then {@code infero compare} on the result. */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    private Path model;
    private Path images;

    @BeforeEach
    void modelAndImages() throws IOException {
        Random rnd = new Random(3);
        model = dir.resolve("tiny.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("tiny", 17)
                .input("x", ElementType.F32, 1, 3, 12, 12)
                .output("y", ElementType.F32, 1, 4, 12, 12)
                .initializer("w1", normal(rnd, 0.01f, 6, 3, 3, 3)).initializer("b1", normal(rnd, 0.1f, 6))
                .initializer("w2", normal(rnd, 0.3f, 4, 6, 1, 1)).initializer("b2", normal(rnd, 0.1f, 4));
        b.node("Conv", "conv1").inputs("x", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "relu").inputs("c1").outputs("r1");
        b.node("Conv", "conv2").inputs("r1", "w2", "b2").outputs("y");
        b.write(model);
        images = Files.createDirectories(dir.resolve("images/nested"));
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 20 * 16; p++) {
                img.setRGB(p % 20, p / 20, rnd.nextInt(1 << 24));
            }
            ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", images.resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg"))
                    .toFile());
        }
        Files.writeString(images.resolve("corrupt.jpg"), "not a jpeg");
    }

    @Test
    void quantizesFromAPotConfigIntoTheOutputFolder() throws IOException {
        Path config = dir.resolve("spec.json");
        Files.writeString(config, """
                {
                  // relative paths are resolved against this file's folder
                  "model": {"model_name": "tiny", "model": "tiny.onnx"},
                  "engine": {"type": "simplified", "data_source": "images"},
                  "compression": {"target_device": "CPU", "algorithms": [
                    {"name": "DefaultQuantization", "params": {"preset": "performance", "stat_subset_size": 300}}]}
                }""");
        Path out = dir.resolve("out");
        CliRun r = run("quantize", "-c", config.toString(), "--output-dir", out.toString(), "-d", "--format", "onnx");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 calibration samples, 2 layers quantized, 2 FakeQuantize"), r.out());
        assertTrue(r.out().contains("ONNX file (QDQ)"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("tiny_int8.onnx")), "QDQ ONNX next to the IR");
        assertTrue(Files.isRegularFile(out.resolve("tiny_int8.xml")));
        assertTrue(Files.isRegularFile(out.resolve("tiny_int8.bin")));

        StringWriter json = new StringWriter();
        int code = Main.execute(new PrintWriter(json, true), new PrintWriter(new StringWriter()), "compare",
                model.toString(), out.resolve("tiny_int8.xml").toString(), "-i", images.toString(), "--per-layer",
                "--json");
        assertEquals(0, code);
        JsonNode report = new JsonMapper().readTree(json.toString());
        assertEquals(6, report.get("samples").asInt(), "the corrupt file is skipped");
        JsonNode y = report.get("outputs").get(0);
        assertEquals("y", y.get("name").asText());
        assertTrue(y.get("sqnr_db").asDouble() > 25, y.toString());
        assertTrue(y.get("cosine").asDouble() > 0.99, y.toString());
        assertTrue(report.get("layers").size() >= 1, report.toString());
    }

    /**
     * The reference workflow: OpenVINO's POT config, with comments, quantizes BlazeFace and FaceMesh on the LFW face
     * photos (the first 40, alphabetically by person); the INT8 weights are about a quarter of the FP32 model, and
     * {@code compare} on the last person's photos shows every output still close to FP32.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blazeface", "facemesh"})
    void faceModelsFromAPotConfigOnFacePhotos(String name) throws IOException {
        Path onnx = SharedData.require("models/face/" + name + ".onnx");
        Path faces = SharedData.require("data/lfw-faces");
        Path config = dir.resolve(name + ".json");
        Files.writeString(config, """
                {
                  "model": {"model_name": "%s", "model": "%s"},
                  /* calibration: the first photos of the data set, in file order */
                  "engine": {"type": "simplified", "data_source": "%s"},
                  "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization",
                    "params": {"preset": "performance", "stat_subset_size": 40, "shuffle_data": false}}]}
                }""".formatted(name, onnx.toString().replace("\\", "/"), faces.toString().replace("\\", "/")));
        Path out = dir.resolve(name + "_int8");
        CliRun r = run("quantize", "-c", config.toString(), "--output-dir", out.toString(), "-d");
        assertEquals(0, r.code(), r.err());
        Path xml = out.resolve(name + "_int8.xml");
        long int8 = Files.size(out.resolve(name + "_int8.bin"));
        assertTrue(int8 < 0.35 * Files.size(onnx), name + ": INT8 .bin " + int8 + " B vs FP32 " + Files.size(onnx));

        Path others = SharedData.lfwPeople().getLast();
        StringWriter json = new StringWriter();
        int code = Main.execute(new PrintWriter(json, true), new PrintWriter(new StringWriter()), "compare",
                onnx.toString(), xml.toString(), "-i", others.toString(), "--json");
        assertEquals(0, code);
        for (JsonNode output : new JsonMapper().readTree(json.toString()).get("outputs")) {
            assertTrue(output.get("cosine").asDouble() > 0.99, name + ": " + output);
        }
    }

    @Test
    void quantizesFromOptionsIntoATimestampedFolder() throws IOException {
        Path out = dir.resolve("results");
        CliRun r = run("quantize", "-m", model.toString(), "--data", images.toString(), "--preset", "mixed",
                "--subset-size", "3", "--output-dir", out.toString());
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> files = Files.walk(out)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().equals("tiny_int8.xml"))
                    .filter(p -> p.getParent().getParent().getFileName().toString()
                            .equals("tiny_DefaultQuantization")).count());
        }
        CliRun text = run("compare", model.toString(), model.toString(), "--random", "2");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("Infinity") || text.out().contains("∞"), text.out());
    }

    @Test
    void aDynamicInputThatMeetsAFullyConnectedLayerGetsOneErrorWithTheFix() throws IOException {
        // Images are read at their own size (20x16) into [1,3,?,?]; the Gemm was made for 12x12 features.
        Random rnd = new Random(5);
        Path dynamic = dir.resolve("dynamic.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("dynamic", 17)
                .input("x", ElementType.F32, 1, 3, -1, -1)
                .output("y", ElementType.F32, 1, 5)
                .initializer("w1", normal(rnd, 0.1f, 2, 3, 3, 3)).initializer("b1", normal(rnd, 0.1f, 2))
                .initializer("w2", normal(rnd, 0.1f, 5, 2 * 12 * 12)).initializer("b2", normal(rnd, 0.1f, 5));
        b.node("Conv", "conv").inputs("x", "w1", "b1").outputs("c").attr("pads", 1, 1, 1, 1);
        b.node("Flatten", "flatten").inputs("c").outputs("f").attr("axis", 1L);
        b.node("Gemm", "fc").inputs("f", "w2", "b2").outputs("y").attr("transB", 1L);
        b.write(dynamic);
        Path out = dir.resolve("dyn-results");
        CliRun r = run("quantize", "-m", dynamic.toString(), "--data", images.toString(), "--subset-size", "2",
                "--output-dir", out.toString());
        assertEquals(1, r.code(), r.out());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\tat ") && err.lines().count() == 1, err);
        assertTrue(err.contains("input 'x' has dynamic shape") && err.contains("--input_shape"), err);
        assertTrue(r.out().contains("[ WARNING ] input 'x' has dynamic shape"), r.out());
        try (Stream<Path> files = Files.walk(out)) {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".xml") || p.toString().endsWith(".bin"))
                    .count(), "nothing half-written");
        }
    }

    @Test
    void configErrorsNameTheJsonPath() throws IOException {
        Path config = dir.resolve("bad.json");
        Files.writeString(config, """
                {"model": {"model_name": "tiny", "model": "tiny.onnx"},
                 "engine": {"type": "simplified", "data_source": "images"},
                 "compression": {"algorithms": [{"name": "DefaultQuantization", "params": {"preset": "fast"}}]}}""");
        CliRun r = run("quantize", "-c", config.toString(), "--output-dir", dir.toString(), "-d");
        assertEquals(1, r.code());
        assertEquals("error: " + config + ": compression.algorithms[0].params.preset: expected \"performance\" or"
                + " \"mixed\", got \"fast\"", r.err().strip());
    }
}
