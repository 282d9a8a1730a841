package dev.infero.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.Core;
import dev.infero.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FacePipelineSharedTest {
    private static Core core;
    private static FacePipeline pipeline;

    @BeforeAll
    static void open() {
        Path blazeface = SharedData.require("models/face/blazeface.onnx");
        Path facemesh = SharedData.require("models/face/facemesh.onnx");
        core = new Core();
        pipeline = FacePipeline.open(core, blazeface, facemesh,
                FacePipeline.Options.DEFAULT.withConfig(Map.of("INFERENCE_NUM_THREADS", "1")));
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
    void samplePhotos() {
        for (var e : Map.of("1face.png", 1, "3faces.png", 3, "4faces.png", 4).entrySet()) {
            List<Face> faces = pipeline.process(SharedData.require("models/face/" + e.getKey()));
            System.out.println(e.getKey() + ": " + faces.size());
            for (Face f : faces) {
                System.out.println("  " + f.detection() + " presence " + f.landmarks().presence() + " roi " + f.roi());
            }
            assertEquals(e.getValue(), faces.size(), e.getKey());
        }
    }
}
