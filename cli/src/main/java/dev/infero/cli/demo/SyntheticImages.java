package dev.infero.cli.demo;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic stand-ins for photos, for calibrating and checking the demo model without files: each picture is a
 * 1x3x64x64 tensor in [0, 1] made of a colour gradient in a random direction, a striped texture and a bright disc of
 * random colour, position and size, so that activation ranges and class scores vary from picture to picture.
 */
public final class SyntheticImages {
    private SyntheticImages() {
    }

    /** {@code count} pictures drawn from {@code seed}; the same arguments always give the same pictures. */
    public static List<Tensor> generate(int count, long seed) {
        Random random = new Random(seed);
        List<Tensor> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(picture(random));
        }
        return images;
    }

    private static Tensor picture(Random random) {
        int size = DemoModel.SIZE;
        int plane = size * size;
        double angle = random.nextDouble() * 2 * Math.PI;
        double gx = Math.cos(angle) / size;
        double gy = Math.sin(angle) / size;
        double stripeFrequency = 0.1 + random.nextDouble() * 0.4;
        double stripeAngle = random.nextDouble() * Math.PI;
        double sx = Math.cos(stripeAngle) * stripeFrequency;
        double sy = Math.sin(stripeAngle) * stripeFrequency;
        double cx = random.nextDouble() * size;
        double cy = random.nextDouble() * size;
        double radius = size * (0.1 + random.nextDouble() * 0.3);
        double[] base = new double[3];
        double[] discColour = new double[3];
        double[] stripeWeight = new double[3];
        for (int c = 0; c < 3; c++) {
            base[c] = random.nextDouble() * 0.5;
            discColour[c] = random.nextDouble();
            stripeWeight[c] = random.nextDouble() * 0.3;
        }
        Tensor t = Tensor.allocate(ElementType.F32, 1, 3, size, size);
        float[] v = t.floats();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double gradient = 0.5 + (x - size / 2.0) * gx + (y - size / 2.0) * gy;
                double stripes = Math.sin(x * sx + y * sy);
                boolean inDisc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
                for (int c = 0; c < 3; c++) {
                    double value = inDisc ? discColour[c] : base[c] + 0.5 * gradient + stripeWeight[c] * stripes;
                    v[c * plane + y * size + x] = (float) Math.clamp(value, 0.0, 1.0);
                }
            }
        }
        return t;
    }
}
