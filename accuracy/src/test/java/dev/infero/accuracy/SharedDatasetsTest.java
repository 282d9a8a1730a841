package dev.infero.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configurations of docs/accuracy on the shared models and datasets reach the accuracies an independent
 * implementation measured (../shared READMEs): MNIST 98.91 % on all 10,000 digits, the CIFAR-10 SqueezeNet 75.35 % on
 * all 10,000 photos (here every fifth), OMZ SqueezeNet 1.1 top-1 ≈ 63 % (here 150 photos), and FaceMesh evaluated
 * against itself through the model_predictions converter scores an NME of exactly 0. Skipped without ../shared.
 */
class SharedDatasetsTest {
    /** A docs config with its ../../../shared paths pointing at the shared folder found by the testing module. */
    private static AccuracyConfig docsConfig(String name, int subsample) throws IOException {
        Path shared = SharedData.require("data");
        Path file = Path.of(System.getProperty("user.dir")).resolve("../docs/accuracy").resolve(name).normalize();
        String text = Files.readString(file).replace("../../../shared", shared.getParent().toString());
        return AccuracyConfig.parse(text, file.getParent(), file, false, subsample);
    }

    private static double first(AccuracyConfig c) {
        List<ModelEvaluation.Row> rows = ModelEvaluation.run(c, List.of(), null);
        return rows.getFirst().metrics().getFirst().value();
    }

    @Test
    void mnistOnTheWholeTestSet() throws IOException {
        SharedData.require("data/mnist");
        assertEquals(0.9891, first(docsConfig("mnist.yml", 0)), 0.0005);
    }

    @Test
    void cifar10OnAFifthOfTheTestPhotos() throws IOException {
        SharedData.require("data/cifar10");
        assertEquals(0.7535, first(docsConfig("cifar10.yml", 2000)), 0.02);
    }

    @Test
    void openModelZooSqueezeNetOnImageNetPhotos() throws IOException {
        SharedData.require("models/ir/squeezenet1.1");
        double top1 = first(docsConfig("squeezenet1.1-imagenet.yml", 150));
        assertTrue(top1 > 0.5 && top1 < 0.8, "top-1 " + top1 + " is far from the measured 63%");
    }

    @Test
    void faceMeshAgainstItsOwnPredictions() throws IOException {
        SharedData.require("models/face/facemesh.onnx");
        assertEquals(0.0, first(docsConfig("facemesh-lfw.yml", 10)), 1e-9);
    }
}
