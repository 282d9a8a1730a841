package dev.infero.cli.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.cli.Main;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infero faces} on the shared sample photos: drawings, JSON, variants, drift, bad input. */
class FacesCommandTest {
    private static final JsonMapper JSON = new JsonMapper();

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path photos() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : new String[] {"1face.png", "3faces.png", "4faces.png"}) {
            Files.copy(SharedData.require("models/face/" + name), photos.resolve(name));
        }
        Files.writeString(photos.resolve("broken.jpg"), "not a picture");
        return photos;
    }

    private static Path model(String name) {
        return SharedData.require("models/face/" + name);
    }

    @Test
    void fp32AgainstInt8DrawsBothAndReportsTheLandmarkDistance() throws IOException {
        Path photos = photos();
        // 100 LFW photos beside the samples (the samples sort first and calibrate INT8; LFW is unseen by it).
        Path lfw = Files.createDirectories(photos.resolve("lfw"));
        try (Stream<Path> s = Files.walk(SharedData.require("data/lfw-faces"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".jpg")).sorted().limit(100).toList()) {
                Files.copy(p, lfw.resolve(p.getFileName()));
            }
        }
        Path out = dir.resolve("out");
        Result r = run("faces", "-i", photos.toString(), "-o", out.toString(), "--detector",
                model("blazeface.onnx").toString(), "--landmarks", model("facemesh.onnx").toString(),
                "--compare", "FP32,INT8", "--tiles", "2", "--threads", "1", "--subset-size", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("103 processed, 1 skipped"), r.out());
        assertTrue(r.out().contains("broken.jpg"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("models/blazeface_int8.xml")));
        assertTrue(Files.isRegularFile(out.resolve("models/facemesh_int8.xml")));
        for (var e : Map.of("1face", 1, "3faces", 3, "4faces", 4).entrySet()) {
            JsonNode doc = JSON.readTree(out.resolve(e.getKey() + "_faces.json").toFile());
            assertEquals(128, doc.get("width").asInt());
            for (JsonNode variant : doc.get("variants")) {
                assertEquals(e.getValue(), variant.get("faces").size(), e.getKey() + " " + variant.get("precision"));
                JsonNode face = variant.get("faces").get(0);
                assertEquals(468, face.get("landmarks").size());
                assertEquals(6, face.get("keypoints").size());
                assertEquals("right_eye", face.get("keypoints").get(0).get("name").asText());
            }
            assertEquals(e.getValue(), doc.get("landmark_drift").size(), e.getKey());
            BufferedImage png = ImageIO.read(out.resolve(e.getKey() + "_faces.png").toFile());
            assertEquals(512, png.getWidth());
            assertDrawn(png);
        }
        assertFalse(Files.exists(out.resolve("broken_faces.png")));
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        JsonNode cmp = summary.get("comparison");
        assertTrue(cmp.get("matched_faces").asInt() >= 108, cmp.toString());
        for (JsonNode v : JSON.readTree(out.resolve("lfw/AJ_Cook_0001_faces.json").toFile()).get("variants")) {
            assertTrue(v.get("faces").size() >= 1, v.toString());
        }
        double px = cmp.get("mean_landmark_distance_px").asDouble();
        double rel = cmp.get("mean_landmark_distance_per_box_width").asDouble();
        // INT8 moves landmarks, but by a small part of the face: well under 10 % of its width on these photos.
        assertTrue(px > 0 && rel < 0.1, "INT8 vs FP32 landmark distance " + px + " px, " + rel + " of the box");
        System.out.printf("faces: INT8 vs FP32 mean landmark distance %.3f px (%.2f%% of the face box) over %d faces"
                + " on the 3 sample and 100 LFW photos%n", px, 100 * rel, cmp.get("matched_faces").asInt());
        for (JsonNode v : summary.get("variants")) {
            assertTrue(v.get("photos_per_second").asDouble() > 0);
            assertTrue(v.get("p90_ms").asDouble() >= v.get("median_ms").asDouble());
        }
        assertEquals(1, summary.get("skipped").size());
    }

    @Test
    void fp16VariantIsConvertedAndFindsTheSameFaces() throws IOException {
        Path out = dir.resolve("fp16");
        Result r = run("faces", "-i", model("3faces.png").toString(), "-o", out.toString(), "--detector",
                model("blazeface.onnx").toString(), "--model-precision", "fp16", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode summary = JSON.readTree(r.out());
        assertEquals("FP16", summary.get("variants").get(0).get("precision").asText());
        assertEquals(3, summary.get("variants").get(0).get("faces").asInt());
        assertTrue(Files.isRegularFile(out.resolve("models/blazeface_fp16.xml")));
        assertTrue(Files.isRegularFile(out.resolve("3faces_faces.png")));
        // Second run: the FP16 models come from the cache (same source models).
        Result again = run("faces", "-i", model("1face.png").toString(), "-o", out.toString(), "--detector",
                model("blazeface.onnx").toString(), "--model-precision", "FP16", "--json");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("FP16 blazeface.onnx: cached"), again.err());
        assertTrue(again.err().contains("FP16 facemesh.onnx: cached"), again.err());
    }

    @Test
    void unwritableOutputFailsBeforeAnyWork() throws IOException {
        Path photos = photos();
        Path file = Files.writeString(dir.resolve("taken"), "x");
        Result r = run("faces", "-i", photos.toString(), "-o", file.toString(), "--detector",
                model("blazeface.onnx").toString());
        assertEquals(1, r.code());
        assertEquals("error: output folder " + file + " is a file, not a folder", r.err().strip());
        Result below = run("faces", "-i", photos.toString(), "-o", file.resolve("sub").toString(), "--detector",
                model("blazeface.onnx").toString(), "--model-precision", "INT8");
        assertEquals(1, below.code());
        assertTrue(below.err().startsWith("error: cannot write to output folder " + file.resolve("sub")),
                below.err());
        assertFalse(below.err().contains("Exception\n\tat"), below.err());
    }

    @Test
    void badOptionsAndInputsGiveOneClearError() throws IOException {
        String det = model("blazeface.onnx").toString();
        Path out = dir.resolve("o");
        assertEquals("error: input " + dir.resolve("none") + " does not exist", run("faces", "-i",
                dir.resolve("none").toString(), "-o", out.toString(), "--detector", det).err().strip());
        assertEquals("error: --compare needs two different precisions, got INT8 twice", run("faces", "-i",
                dir.toString(), "-o", out.toString(), "--detector", det, "--compare", "int8,INT8").err().strip());
        assertEquals("error: --model-precision: expected FP32, FP16 or INT8, got 'FP8'", run("faces", "-i",
                dir.toString(), "-o", out.toString(), "--detector", det, "--model-precision", "FP8").err().strip());
        assertEquals("error: --detector: model file " + dir.resolve("x.onnx") + " does not exist", run("faces",
                "-i", dir.toString(), "-o", out.toString(), "--detector", dir.resolve("x.onnx").toString())
                .err().strip());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals("error: no photos (JPEG, PNG, BMP, GIF) in " + empty, run("faces", "-i", empty.toString(),
                "-o", out.toString(), "--detector", det).err().strip());
        Path onlyBroken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(onlyBroken.resolve("a.png"), "nope");
        Result r = run("faces", "-i", onlyBroken.toString(), "-o", out.toString(), "--detector", det);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("error: none of the 1 photos could be read"), r.err());
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    /** Green and magenta pixels (boxes, landmarks) are on the drawing, yellow keypoints too. */
    private static void assertDrawn(BufferedImage png) {
        int green = 0;
        int magenta = 0;
        int yellow = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int c = png.getRGB(x, y) & 0xFFFFFF;
                int rr = (c >> 16) & 0xFF;
                int gg = (c >> 8) & 0xFF;
                int bb = c & 0xFF;
                if (c == (FaceDrawing.COLORS[0].getRGB() & 0xFFFFFF)) {
                    green++;
                } else if (c == (FaceDrawing.COLORS[1].getRGB() & 0xFFFFFF)) {
                    magenta++;
                } else if (rr == 255 && gg == 255 && bb == 0) {
                    yellow++;
                }
            }
        }
        assertTrue(green > 50 && magenta > 50 && yellow > 20, green + " green, " + magenta + " magenta, " + yellow
                + " yellow pixels");
    }
}
