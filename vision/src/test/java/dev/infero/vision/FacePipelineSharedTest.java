package dev.infero.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The face pipeline on the shared sample photos and on LFW (real models, real pictures). */
class FacePipelineSharedTest {
    private static Core core;
    private static FacePipeline pipeline;

    @BeforeAll
    static void open() {
        Path blazeface = SharedData.require("models/face/blazeface.onnx");
        Path facemesh = SharedData.require("models/face/facemesh.onnx");
        core = new Core();
        pipeline = FacePipeline.open(core, blazeface, facemesh,
                FacePipeline.Options.DEFAULT.withConfig(Map.of("INFERENCE_NUM_THREADS", "1")).withTiles(2));
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (core != null) {
            core.close();
        }
    }

    @Test
    void findsEveryFaceOnTheSamplePhotos() {
        for (var e : Map.of("1face.png", 1, "3faces.png", 3, "4faces.png", 4).entrySet()) {
            List<Face> faces = pipeline.process(SharedData.require("models/face/" + e.getKey()));
            assertEquals(e.getValue(), faces.size(), e.getKey());
            for (Face f : faces) {
                assertTrue(f.detection().score() >= 0.5f, e.getKey() + ": " + f.detection());
                assertEquals(468, f.landmarks().count());
                assertLandmarksInBox(f, e.getKey());
            }
        }
    }

    @Test
    void oneCentredFacePerLfwPhotoWithItsLandmarksInside() throws IOException {
        Path lfw = SharedData.require("data/lfw-faces");
        List<Path> photos;
        try (Stream<Path> s = Files.walk(lfw)) {
            photos = s.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(100).toList();
        }
        assertEquals(100, photos.size());
        int others = 0;
        for (Path photo : photos) {
            RgbImage image = RgbImage.read(photo);
            List<Face> faces = pipeline.process(image, 1);
            // LFW photos are news pictures cropped around one person: bystanders at the border are real faces too.
            List<Face> central = faces.stream().filter(f -> nearCentre(f.detection(), image)).toList();
            assertEquals(1, central.size(), photo + ": faces near the centre " + central);
            others += faces.size() - 1;
            Face face = central.get(0);
            assertTrue(face.detection().width() > image.width() * 0.25, photo + ": " + face.detection());
            assertTrue(face.landmarks().presence() > 0.5, photo + ": presence " + face.landmarks().presence());
            assertLandmarksInBox(face, photo.toString());
        }
        System.out.println("LFW: 100 photos, one face near the centre each, " + others + " other faces at the borders");
    }

    private static boolean nearCentre(Detection d, RgbImage image) {
        double cx = d.x() + d.width() / 2;
        double cy = d.y() + d.height() / 2;
        return Math.abs(cx - image.width() / 2.0) < image.width() * 0.15
                && Math.abs(cy - image.height() / 2.0) < image.height() * 0.2;
    }

    @Test
    void unreadableImagesFailWithTheirName(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not a picture");
        InferoException e = org.junit.jupiter.api.Assertions.assertThrows(InferoException.class,
                () -> pipeline.process(text));
        assertTrue(e.getMessage().contains("notes.jpg"), e.getMessage());
        Path truncated = dir.resolve("cut.png");
        byte[] png = Files.readAllBytes(SharedData.require("models/face/1face.png"));
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 3));
        e = org.junit.jupiter.api.Assertions.assertThrows(InferoException.class, () -> pipeline.process(truncated));
        assertTrue(e.getMessage().contains("cut.png"), e.getMessage());
    }

    /** Nearly all landmarks inside the detection box grown by 25 % (FaceMesh covers forehead and chin). */
    private static void assertLandmarksInBox(Face f, String what) {
        int inside = 0;
        FaceLandmarks lm = f.landmarks();
        for (int i = 0; i < lm.count(); i++) {
            if (f.detection().contains(lm.x(i), lm.y(i), 0.25)) {
                inside++;
            }
        }
        assertTrue(inside >= lm.count() * 0.95, what + ": " + inside + " of " + lm.count() + " landmarks in "
                + f.detection());
    }
}
