package dev.infero.caffe;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The two files of a Caffe model: the network definition ({@code .prototxt}) and the weights ({@code .caffemodel}).
 * When only one is given the other is looked for beside it: the same base name first, then {@code deploy.prototxt},
 * then the only file of that kind in the folder.
 */
public record CaffeFiles(Path prototxt, Path caffemodel) {
    /** Finds the companion of {@code model} (a .caffemodel or a .prototxt) unless {@code proto} names it. */
    public static CaffeFiles locate(Path model, Path proto) {
        String name = model.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".prototxt") || name.endsWith(".pbtxt")) {
            Path weights = proto != null && proto.toString().toLowerCase(Locale.ROOT).endsWith(".caffemodel") ? proto
                    : companion(model, ".caffemodel", null);
            return new CaffeFiles(model, weights);
        }
        Path definition = proto != null ? proto : companion(model, ".prototxt", "deploy.prototxt");
        if (!Files.isRegularFile(definition)) {
            throw new InferoException("Caffe network definition " + definition + " (for " + model + ") does not exist");
        }
        return new CaffeFiles(definition, model);
    }

    private static Path companion(Path model, String extension, String conventional) {
        Path dir = model.toAbsolutePath().getParent();
        String file = model.getFileName().toString();
        int dot = file.lastIndexOf('.');
        Path same = dir.resolve((dot > 0 ? file.substring(0, dot) : file) + extension);
        if (Files.isRegularFile(same)) {
            return same;
        }
        if (conventional != null && Files.isRegularFile(dir.resolve(conventional))) {
            return dir.resolve(conventional);
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> candidates = files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension))
                    .toList();
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            throw new InferoException("cannot find the " + extension + " file of Caffe model " + model + ": "
                    + (candidates.isEmpty() ? "there is none beside it" : candidates.size() + " are beside it")
                    + "; name it with --input_proto" + (extension.equals(".caffemodel") ? " (or convert the .caffemodel)" : ""));
        } catch (IOException e) {
            throw new InferoException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
