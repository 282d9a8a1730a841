package dev.infero.cli.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Real models on real labelled data reach the accuracies an independent implementation measured (shared data
 * README): the ONNX model zoo MNIST CNN on the 10,000 MNIST test digits (98.91%), and a Keras SqueezeNet on the
 * CIFAR-10 test photos (75.35% on all 10,000; here every fifth photo, to keep the build short).
 */
class DatasetAccuracyTest {
    @Test
    void mnistCnnOnTheMnistTestSet() throws IOException {
        Path dir = SharedData.require("data/mnist");
        byte[] images = gunzip(dir.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        int count = 10_000;
        int correct = 0;
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(dir.resolve("mnist-8.onnx"), "CPU").createInferRequest();
            float[] pixels = new float[28 * 28];
            for (int i = 0; i < count; i++) {
                for (int p = 0; p < pixels.length; p++) {
                    pixels[p] = images[16 + i * pixels.length + p] & 0xFF;
                }
                request.setInput(0, Tensor.of(pixels, 1, 1, 28, 28));
                request.infer();
                if (argmax(request.getOutput(0)) == (labels[8 + i] & 0xFF)) {
                    correct++;
                }
            }
        }
        double accuracy = 100.0 * correct / count;
        System.out.printf("mnist-8: %.2f%% on %d MNIST test digits (reference 98.91%%)%n", accuracy, count);
        assertEquals(98.91, accuracy, 0.05, "MNIST accuracy");
    }

    @Test
    void squeezeNetOnCifar10TestPhotos() throws IOException {
        Path dir = SharedData.require("data/cifar10");
        List<Path> classes;
        try (Stream<Path> s = Files.list(dir.resolve("test"))) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        int seen = 0;
        int correct = 0;
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(dir.resolve("squeezenet_cifar10.onnx"), "CPU").createInferRequest();
            float[] nhwc = new float[32 * 32 * 3];
            for (int label = 0; label < classes.size(); label++) {
                List<Path> photos;
                try (Stream<Path> s = Files.list(classes.get(label))) {
                    photos = s.sorted().toList();
                }
                for (int i = 0; i < photos.size(); i += 5) {
                    BufferedImage img = ImageIO.read(photos.get(i).toFile());
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            int rgb = img.getRGB(x, y);
                            int at = (y * 32 + x) * 3;
                            nhwc[at] = ((rgb >> 16) & 0xFF) / 256f;
                            nhwc[at + 1] = ((rgb >> 8) & 0xFF) / 256f;
                            nhwc[at + 2] = (rgb & 0xFF) / 256f;
                        }
                    }
                    request.setInput(0, Tensor.of(nhwc, 1, 32, 32, 3));
                    request.infer();
                    seen++;
                    if (argmax(request.getOutput(0)) == label) {
                        correct++;
                    }
                }
            }
        }
        double accuracy = 100.0 * correct / seen;
        System.out.printf("squeezenet_cifar10: %.2f%% on %d CIFAR-10 test photos (reference 75.35%% on 10,000)%n",
                accuracy, seen);
        assertEquals(75.35, accuracy, 2.0, "CIFAR-10 accuracy on a fifth of the test set");
    }

    private static int argmax(Tensor t) {
        int best = 0;
        for (int i = 1; i < t.size(); i++) {
            if (t.getDouble(i) > t.getDouble(best)) {
                best = i;
            }
        }
        return best;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
