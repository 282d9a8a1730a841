package dev.infero.cli.accuracy;

import static dev.infero.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.cli.CliRun;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infero accuracy} (options form, several models, --json) and {@code infero optimize} on generated data. */
class AccuracyCommandTest {
    @TempDir
    Path dir;
    Path model;
    Path images;

    /** Class folders blue/green/red of photos dominated by that colour; the model: average colour → scores. */
    @BeforeEach
    void files() throws IOException {
        float[] w = {0, 0, 1, 0, 1, 0, 1, 0, 0};   // alphabetical classes: blue, green, red
        OnnxModelBuilder b = new OnnxModelBuilder("tiny", 17).input("x", ElementType.F32, 1, 3, 8, 8)
                .output("scores", ElementType.F32, 1, 3)
                .initializer("w", Tensor.of(w, 3, 3)).initializer("b", Tensor.of(new float[3], 3));
        b.classifierHead("x", "w", "b", "scores");
        model = dir.resolve("tiny.onnx");
        b.write(model);
        images = dir.resolve("colours");
        Random rnd = new Random(5);
        String[] names = {"red", "green", "blue"};
        for (int label = 0; label < 3; label++) {
            Path folder = Files.createDirectories(images.resolve(names[label]));
            for (int i = 0; i < 4; i++) {
                BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 100; p++) {
                    int[] c = {rnd.nextInt(90), rnd.nextInt(90), rnd.nextInt(90)};
                    c[label] = 180 + rnd.nextInt(70);
                    img.setRGB(p % 10, p / 10, (c[0] << 16) | (c[1] << 8) | c[2]);
                }
                ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
            }
        }
    }

    @Test
    void optionsFormWritesTheTableAndJson() throws IOException {
        Path json = dir.resolve("acc.json");
        CliRun r = run("accuracy", "-m", model.toString(), "-m", model.toString(), "-d", images.toString(),
                "--metric", "accuracy", "--top-k", "1,2", "--mean", "127.5", "--std", "127.5", "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Dataset colours: 12 samples"), r.out());
        assertTrue(r.out().contains("accuracy@top1") && r.out().contains("delta"), r.out());
        assertTrue(r.out().contains("100.00%") && r.out().contains("+0.00"), r.out());
        JsonNode root = new JsonMapper().readTree(json.toFile());
        assertEquals("infero accuracy", root.get("tool").asText());
        assertEquals("colours", root.get("dataset").asText());
        assertEquals(12, root.get("samples").asInt());
        JsonNode m = root.get("models").get(1);
        assertEquals("FP32", m.get("precision").asText());
        assertEquals(Files.size(model), m.get("size_bytes").asLong());
        assertTrue(m.get("latency_ms").asDouble() > 0);
        assertEquals("accuracy@top1", m.get("metrics").get(0).get("name").asText());
        assertEquals("accuracy", m.get("metrics").get(0).get("type").asText());
        assertEquals(1.0, m.get("metrics").get(0).get("value").asDouble(), 1e-12);
        assertEquals(0.0, m.get("metrics").get(0).get("delta").asDouble(), 1e-12);
    }

    @Test
    void badUsageGivesOneClearMessage() {
        CliRun r = run("accuracy", "-m", model.toString());
        assertEquals(1, r.code());
        assertEquals("error: give -c CONFIG, or -m MODEL and -d DATASET", r.err().strip());
        r = run("accuracy", "-m", model.toString(), "-d", images.toString(), "--metric", "bleu");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: metrics[0].type: unknown metric \"bleu\""), r.err());
    }

    private Path accuracyConfig() throws IOException {
        Path cfg = dir.resolve("acc.yml");
        Files.writeString(cfg, """
                models:
                  - name: tiny
                    launchers: [{framework: onnx, adapter: classification}]
                    datasets:
                      - name: colours
                        data_source: colours
                        annotation_conversion: {converter: image_folder}
                        reader: pillow_imread
                        preprocessing: [{type: normalization, mean: 127.5, std: 127.5}]
                        metrics: [{type: accuracy, top_k: 1}]
                """);
        return cfg;
    }

    @Test
    void quantizeRunsAccuracyAwareQuantizationFromAPotConfig() throws IOException {
        accuracyConfig();
        Path pot = dir.resolve("aaq.json");
        Files.writeString(pot, """
                {"model": {"model_name": "tiny", "model": "tiny.onnx"},
                 "engine": {"type": "accuracy_checker", "config": "acc.yml"},
                 "compression": {"algorithms": [{"name": "AccuracyAwareQuantization",
                     "params": {"maximal_drop": 0.01, "stat_subset_size": 12}}]}}
                """);
        CliRun r = run("quantize", "-c", pot.toString(), "--output-dir", dir.resolve("q").toString(), "-d");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("[ INFO ] FP32 accuracy@top1: 100.00% on 12 samples"), r.out());
        assertTrue(r.out().contains("Iteration 0: DefaultQuantization"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("q/tiny_int8.xml")));
        assertTrue(Files.isRegularFile(dir.resolve("q/tiny_int8_report.json")));
        Files.writeString(pot, Files.readString(pot).replace("acc.yml", "missing.yml"));
        r = run("quantize", "-c", pot.toString(), "--output-dir", dir.resolve("q").toString(), "-d");
        assertEquals(1, r.code());
        assertEquals("error: " + pot + ": engine.config: " + dir.resolve("missing.yml") + " does not exist",
                r.err().strip());
    }

    @Test
    void optimizePicksAVariantWithinTheBudgetAndSaysWhy() throws IOException {
        Path cfg = accuracyConfig();
        CliRun r = run("optimize", "-m", model.toString(), "--accuracy", cfg.toString(), "--max-drop", "1",
                "-t", "0.05", "--output-dir", dir.resolve("opt").toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("FP32 accuracy@top1: 100.00% on 12 samples"), r.out());
        for (String variant : new String[] {"FP32", "FP16", "INT8 Default"}) {
            assertTrue(r.out().contains("  " + variant + " "), r.out());
        }
        assertTrue(r.out().contains("CHOSEN") && r.out().contains("Chosen: "), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("opt/tiny_int8.xml")));
    }
}
