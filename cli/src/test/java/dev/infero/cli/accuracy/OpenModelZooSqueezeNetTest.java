package dev.infero.cli.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import dev.infero.testing.SharedData;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The IR reader's first real customer: Open Model Zoo's SqueezeNet 1.1 (IR v11, FP16-compressed weights, written by
 * OpenVINO) classifies real ImageNet photos. The shared README measured top-1 ≈ 63% on the 1,000-image set these 500
 * come from; 150 of them, preprocessed the same way, must land in that neighbourhood.
 */
class OpenModelZooSqueezeNetTest {
    private static final int IMAGES = 150;
    private static final float[] BGR_MEAN = {104, 117, 123};

    @Test
    void classifiesImageNetPhotosAsWellAsOpenVinoDoes() throws IOException {
        Path xml = SharedData.require("models/ir/squeezenet1.1/squeezenet1.1.xml");
        Path images = SharedData.require("data/imagenet-samples");
        List<String> rows = Files.readAllLines(images.resolve("labels.csv")).subList(1, IMAGES + 1);
        int correct = 0;
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(xml, "CPU");
            assertEquals("[1,3,227,227]", model.inputs().get(0).shape().toString());
            InferRequest request = model.createInferRequest();
            for (String row : rows) {
                String[] f = row.split(",");
                request.setInput(0, preprocess(images.resolve(f[0])));
                request.infer();
                Tensor scores = request.getOutput(0);
                int best = 0;
                for (int i = 1; i < scores.size(); i++) {
                    if (scores.getDouble(i) > scores.getDouble(best)) {
                        best = i;
                    }
                }
                if (best == Integer.parseInt(f[1])) {
                    correct++;
                }
            }
        }
        double top1 = 100.0 * correct / IMAGES;
        System.out.printf("squeezenet1.1 IR: top-1 %.1f%% on %d ImageNet samples%n", top1, IMAGES);
        assertTrue(top1 > 50 && top1 < 80, "top-1 " + top1 + "% is far from the measured 63%");
    }

    /** Shorter side to 256 (bilinear), centre crop 227, BGR planes minus the mean: the model's documented input. */
    private static Tensor preprocess(Path file) throws IOException {
        BufferedImage src = ImageIO.read(file.toFile());
        double s = 256.0 / Math.min(src.getWidth(), src.getHeight());
        int w = (int) Math.round(src.getWidth() * s);
        int h = (int) Math.round(src.getHeight() * s);
        BufferedImage resized = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        int x0 = (w - 227) / 2;
        int y0 = (h - 227) / 2;
        float[] data = new float[3 * 227 * 227];
        for (int y = 0; y < 227; y++) {
            for (int x = 0; x < 227; x++) {
                int rgb = resized.getRGB(x0 + x, y0 + y);
                int[] bgr = {rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF};
                for (int c = 0; c < 3; c++) {
                    data[(c * 227 + y) * 227 + x] = bgr[c] - BGR_MEAN[c];
                }
            }
        }
        return Tensor.of(data, 1, 3, 227, 227);
    }
}
