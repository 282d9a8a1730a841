package dev.infero.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
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

/** The Accuracy Checker YAML: a full configuration end to end on generated data, and bad input naming its field. */
class AccuracyConfigTest {
    @TempDir
    Path dir;

    private static final String CONFIG = """
            models:
              - name: tiny
                launchers:
                  - framework: onnx
                    model: tiny.onnx
                    adapter: classification
                datasets:
                  - name: shapes
                    data_source: images
                    annotation_conversion:
                      converter: imagenet
                      annotation_file: images/labels.csv
                      labels_file: classes.txt
                    reader: pillow_imread
                    preprocessing:
                      - {type: resize, size: 8}
                      - {type: normalization, mean: [127.5, 127.5, 127.5], std: 127.5}
                    metrics:
                      - {type: accuracy, top_k: 1}
                      - {name: top3, type: accuracy, top_k: 3}
            """;

    /** Three classes: which colour channel dominates the image (the model: global average pool → identity FC). */
    @BeforeEach
    void files() throws IOException {
        float[] w = new float[3 * 3];
        for (int i = 0; i < 3; i++) {
            w[i * 3 + i] = 1;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("tiny", 17).input("x", ElementType.F32, 1, 3, 8, 8)
                .output("scores", ElementType.F32, 1, 3)
                .initializer("w", Tensor.of(w, 3, 3)).initializer("b", Tensor.of(new float[3], 3));
        b.classifierHead("x", "w", "b", "scores");
        b.write(dir.resolve("tiny.onnx"));
        Path images = Files.createDirectories(dir.resolve("images"));
        StringBuilder labels = new StringBuilder("file,class_index\n");
        Random rnd = new Random(3);
        for (int i = 0; i < 12; i++) {
            int label = i % 3;
            BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 20; x++) {
                    int[] c = {rnd.nextInt(100), rnd.nextInt(100), rnd.nextInt(100)};
                    c[label] = 200 + rnd.nextInt(50);
                    img.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
                }
            }
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
            // Two of the twelve labels are wrong on purpose: accuracy 10/12.
            labels.append("img").append(i).append(".png,").append(i < 2 ? (label + 1) % 3 : label).append('\n');
        }
        Files.writeString(images.resolve("labels.csv"), labels);
        Files.writeString(dir.resolve("classes.txt"), "red\ngreen\nblue\n");
    }

    private AccuracyConfig parse(String yaml) {
        return AccuracyConfig.parse(yaml, dir, null, false);
    }

    private String error(String yaml) {
        return assertThrows(InferoException.class, () -> ModelEvaluation.run(parse(yaml), java.util.List.of(), null))
                .getMessage();
    }

    @Test
    void evaluatesAFullConfiguration() {
        AccuracyConfig c = parse(CONFIG);
        assertEquals(12, c.models().getFirst().datasets().getFirst().dataset().samples().size());
        var rows = ModelEvaluation.run(c, java.util.List.of(), null);
        assertEquals(1, rows.size());
        assertEquals("FP32", rows.getFirst().precision());
        assertEquals(10.0 / 12, rows.getFirst().metrics().get(0).value(), 1e-12);
        assertEquals("accuracy@top1", rows.getFirst().metrics().get(0).name());
        assertEquals(1.0, rows.getFirst().metrics().get(1).value(), 1e-12);
        // A subsample of 6 takes every other sample: img0 (wrong label), img2, img4, ... → 5/6.
        var sub = ModelEvaluation.run(AccuracyConfig.parse(CONFIG, dir, null, false, 6), java.util.List.of(), null);
        assertEquals(5.0 / 6, sub.getFirst().metrics().get(0).value(), 1e-12);
    }

    @Test
    void unknownAdapterMetricConverterAndPreprocessingNameTheField() {
        assertEquals("models[0].launchers[0].adapter: unknown adapter \"yolo_v9\"; expected one of classification,"
                + " ssd, blazeface, ultraface, landmarks_regression, facemesh, reid, face_embedding",
                error(CONFIG.replace("adapter: classification", "adapter: yolo_v9")));
        assertTrue(error(CONFIG.replace("type: accuracy, top_k: 3", "type: coco_precision")).startsWith(
                "models[0].datasets[0].metrics[1].type: unknown metric \"coco_precision\"; expected one of accuracy,"
                        + " map"));
        assertTrue(error(CONFIG.replace("converter: imagenet", "converter: mscoco_detection")).startsWith(
                "models[0].datasets[0].annotation_conversion.converter: unknown converter \"mscoco_detection\""));
        assertTrue(error(CONFIG.replace("type: resize", "type: flip")).startsWith(
                "models[0].datasets[0].preprocessing[0].type: unknown preprocessing \"flip\""));
        assertEquals("models[0].datasets[0].metrics[0].top_k: expected a positive integer, got the number 0",
                error(CONFIG.replace("top_k: 1", "top_k: 0")));
        assertEquals("models[0].launchers[0].framework: expected openvino (or dlsdk), onnx or onnx_runtime, got"
                + " \"caffe\"", error(CONFIG.replace("framework: onnx", "framework: caffe")));
    }

    @Test
    void missingFilesAreNamed() {
        assertEquals("models[0].datasets[0].annotation_conversion.annotation_file: " + dir.resolve("images/val.txt")
                + " does not exist", error(CONFIG.replace("images/labels.csv", "images/val.txt")));
        assertEquals("models[0].launchers[0].model: " + dir.resolve("nope.onnx") + " does not exist",
                error(CONFIG.replace("tiny.onnx", "nope.onnx")));
        assertTrue(error("models: [").startsWith("not valid YAML at line"), error("models: ["));
    }

    @Test
    void labelsThatDoNotMatchTheModelOutputAreReported() throws IOException {
        Files.writeString(dir.resolve("classes.txt"), "red\ngreen\nblue\ncyan\nmagenta\n");
        assertEquals("models[0].datasets[0].annotation_conversion.labels_file: " + dir.resolve("classes.txt")
                + " lists 5 classes, but the model's output 'scores' has 3 scores", error(CONFIG));
        Files.writeString(dir.resolve("classes.txt"), "red\ngreen\nblue\n");
        Files.writeString(dir.resolve("images/labels.csv"), "file,class_index\nimg0.png,7\n");
        assertEquals("models[0].datasets[0].annotation_conversion: label 7 does not index the model's 3 class"
                + " scores (output 'scores')", error(CONFIG));
    }

    @Test
    void anUndecodableImageIsNamed() throws IOException {
        Files.writeString(dir.resolve("images/img5.png"), "not a picture");
        String e = error(CONFIG);
        assertTrue(e.startsWith("models[0].datasets[0] (shapes), sample img5.png: ") && e.contains("img5.png is not"
                + " an image"), e);
    }

    @Test
    void preprocessingFollowsTheReaderChannelOrderAndTracksGeometry() {
        // OpenCV reader (BGR) then normalization with per-channel means in BGR order: the model, fed RGB order by
        // bgr_to_rgb, must see R − 3, G − 2, B − 1.
        var list = new java.util.ArrayList<ConfigNode>();
        var yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
        try {
            for (var n : yaml.readTree("[{type: resize, size: 4, aspect_ratio_scale: greater}, {type: crop, size: 2},"
                    + " {type: normalization, mean: [1, 2, 3]}, {type: bgr_to_rgb}]")) {
                list.add(new ConfigNode(n, "p", dir));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Preprocessor pre = Preprocessor.parse(list, "opencv_imread", "reader");
        float[] r = new float[8 * 4];
        java.util.Arrays.fill(r, 100);
        float[] g = r.clone();
        java.util.Arrays.fill(g, 50);
        float[] b = r.clone();
        java.util.Arrays.fill(b, 10);
        var planes = new dev.infero.api.io.ImageInput.Planes(8, 4, new float[][] {r, g, b});
        var prepared = pre.apply(planes, ElementType.F32, dev.infero.core.types.PartialShape.of(1, 3, 2, 2));
        float[] v = prepared.input().floats();
        assertEquals(97, v[0], 1e-4);
        assertEquals(48, v[4], 1e-4);
        assertEquals(9, v[8], 1e-4);
        // 8×4 → shorter side 4 (no change: 8×4), centre crop 2×2 at x = 3, y = 1: input (0,0) is image (3,1).
        assertEquals(3, prepared.geometry().toImageX(0), 1e-9);
        assertEquals(1, prepared.geometry().toImageY(0), 1e-9);
    }
}
