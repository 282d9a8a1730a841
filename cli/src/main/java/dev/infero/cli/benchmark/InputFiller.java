package dev.infero.cli.benchmark;

import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Input data of the benchmark: files given with {@code -i} (.npy arrays, or images resized to the input's height and
 * width, BGR channel order and 0..255 values as benchmark_app's OpenCV reader gives them), or random values when no
 * files are given. Files are used in sorted order, one per input per request, cycling when there are fewer files.
 */
final class InputFiller {
    /** A model input with the concrete shape to fill and its layout ({@code NCHW}, or {@code ?} letters if unknown). */
    record InputSpec(String name, ElementType type, int[] shape, String layout) {
    }

    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private final List<Path> files;
    private final SplittableRandom random = new SplittableRandom(42);

    InputFiller(List<Path> files) {
        this.files = files;
    }

    /** The usable files of a folder (sorted) or the single file given. */
    static List<Path> listFiles(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("-i: " + path + " does not exist");
        }
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        try (Stream<Path> s = Files.list(path)) {
            List<Path> usable = s.filter(f -> isNpy(f) || isImage(f)).sorted().toList();
            if (usable.isEmpty()) {
                throw new IllegalArgumentException("-i: " + path + " has no .npy or image files");
            }
            return usable;
        } catch (IOException e) {
            throw new InferoException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    /** How inputs are filled, for the log. */
    String describe() {
        return files.isEmpty() ? "random values (no -i given)" : files.size() + " file(s) from -i";
    }

    /** The input tensors of request {@code request}, in input order. */
    List<Tensor> fill(List<InputSpec> inputs, int request) {
        Tensor[] out = new Tensor[inputs.size()];
        for (int i = 0; i < out.length; i++) {
            InputSpec spec = inputs.get(i);
            out[i] = files.isEmpty() ? random(spec) : fromFile(files.get((request * out.length + i) % files.size()), spec);
        }
        return List.of(out);
    }

    private Tensor random(InputSpec spec) {
        Tensor t = Tensor.allocate(spec.type(), spec.shape());
        for (int i = 0; i < t.size(); i++) {
            if (spec.type().isFloating()) {
                t.setDouble(i, random.nextDouble());
            } else if (spec.type() == ElementType.BOOLEAN) {
                t.setLong(i, random.nextInt(2));
            } else {
                t.setLong(i, random.nextInt(spec.type() == ElementType.U8 ? 256 : 10));
            }
        }
        return t;
    }

    private static Tensor fromFile(Path file, InputSpec spec) {
        if (isNpy(file)) {
            Tensor t = Npy.read(file);
            if (t.size() != Arrays.stream(spec.shape()).reduce(1, (a, b) -> a * b)) {
                throw new InferoException(file + " holds " + t.describe() + " but input '" + spec.name() + "' needs "
                        + Arrays.toString(spec.shape()));
            }
            Tensor typed = t.type() == spec.type() ? t : t.convertTo(spec.type());
            return typed.reshape(spec.shape());
        }
        return image(file, spec);
    }

    private static Tensor image(Path file, InputSpec spec) {
        String layout = spec.layout();
        int h = layout.indexOf('H');
        int w = layout.indexOf('W');
        int c = layout.indexOf('C');
        if (h < 0 || w < 0 || c < 0 || layout.length() != spec.shape().length) {
            throw new InferoException("input '" + spec.name() + "' has no image layout (" + layout
                    + "); give one with -layout, e.g. -layout " + spec.name() + "[NCHW]");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InferoException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new InferoException(file + " is not an image Java can read (png, jpg, bmp, gif)");
        }
        int[] shape = spec.shape();
        int height = shape[h];
        int width = shape[w];
        int channels = shape[c];
        Tensor t = Tensor.allocate(spec.type(), shape);
        int[] strides = new int[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; s *= shape[d], d--) {
            strides[d] = s;
        }
        int images = t.size() / (height * width * channels);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = img.getRGB(x * img.getWidth() / width, y * img.getHeight() / height);
                int[] bgr = {rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF};
                for (int ch = 0; ch < channels; ch++) {
                    double v = channels == 1 ? (bgr[0] + bgr[1] + bgr[2]) / 3.0 : bgr[ch % 3];
                    int offset = y * strides[h] + x * strides[w] + ch * strides[c];
                    // The same picture in every batch element: the other dimensions only repeat it.
                    for (int n = 0; n < images; n++) {
                        t.setDouble(offset + n * (t.size() / images), v);
                    }
                }
            }
        }
        return t;
    }

    private static boolean isNpy(Path f) {
        return f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
