package dev.infero.core.frontend;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What a user points a frontend at: the model file (or a SavedModel directory) and, for formats split over two files,
 * the companion Model Optimizer names with its own option: Caffe's {@code --input_proto} (the {@code .prototxt}
 * beside a {@code .caffemodel}), MXNet's {@code --input_symbol} (the {@code -symbol.json} beside a {@code .params}).
 *
 * @param model     the model file or directory
 * @param proto     Caffe text definition, or {@code null} (a frontend may look for it beside the model)
 * @param symbol    MXNet symbol file, or {@code null} (likewise)
 * @param framework the framework the user named ({@code --framework}: onnx, ir, tf, tflite, caffe, mxnet), or
 *                  {@code null} to let the frontends recognise the model by its content and name
 */
public record ModelSource(Path model, Path proto, Path symbol, String framework) {
    /** How many leading bytes {@link #head()} returns at most: enough for every format's magic. */
    public static final int HEAD_BYTES = 64;

    public ModelSource {
        Objects.requireNonNull(model, "model");
        framework = framework == null ? null : framework.toLowerCase(Locale.ROOT);
    }

    /** A single-file (or directory) model, recognised by content and name. */
    public static ModelSource of(Path model) {
        return new ModelSource(model, null, null, null);
    }

    /** The model's file name, lower case (for extension checks). */
    public String fileName() {
        Path name = model.getFileName();
        return name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    }

    /** Whether the model is a directory (a TensorFlow SavedModel, for instance). */
    public boolean isDirectory() {
        return Files.isDirectory(model);
    }

    /** The first {@link #HEAD_BYTES} bytes of the model file (fewer for a shorter file; none for a directory). */
    public byte[] head() {
        if (isDirectory()) {
            return new byte[0];
        }
        try (InputStream in = Files.newInputStream(model)) {
            byte[] head = in.readNBytes(HEAD_BYTES);
            return Arrays.copyOf(head, head.length);
        } catch (IOException e) {
            throw new InferoException("cannot read " + model + ": " + e.getMessage(), e);
        }
    }
}
