package dev.infero.quantize;

import dev.infero.api.io.Progress;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Calibration samples from a folder (searched recursively): images (JPEG, PNG, BMP) and {@code .npy} tensors, one
 * file per sample of a single-input model. The files are taken in path order, or shuffled with a fixed seed, and read
 * until {@code subsetSize} of them decoded; unreadable files are reported and skipped, and only a folder without a
 * single usable sample is an error. Decoding (resizing, layout, channel order) is the {@link SampleReader}'s job; the
 * model's own embedded preprocessing (mean/scale) stays in the graph and is not applied here.
 */
public final class CalibrationData {
    /** File extensions read as samples. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "npy");

    /** Decodes one file into a tensor for {@code input}; throws with a one-line reason when it cannot. */
    @FunctionalInterface
    public interface SampleReader {
        Tensor read(Path file, PortInfo input) throws Exception;
    }

    private CalibrationData() {
    }

    /** Sample files under {@code folder} (or the file itself), in path order. */
    public static List<Path> list(Path folder) {
        if (Files.isRegularFile(folder)) {
            return List.of(folder);
        }
        if (!Files.isDirectory(folder)) {
            throw new InferoException("calibration data " + folder + " does not exist");
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(CalibrationData::isSampleFile).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InferoException("cannot list calibration data in " + folder + ": " + e.getMessage(), e);
        }
    }

    static boolean isSampleFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
    }

    /**
     * Reads up to {@code subsetSize} samples (0 = all) for {@code input}. {@code log} receives a line per skipped
     * file and the progress bar; {@code null} keeps quiet.
     */
    public static List<Tensor> load(Path folder, PortInfo input, SampleReader reader, int subsetSize,
                                    boolean shuffle, long seed, PrintStream log) {
        List<Path> files = new ArrayList<>(list(folder));
        if (files.isEmpty()) {
            throw new InferoException("no calibration samples in " + folder + " (looked for "
                    + String.join(", ", EXTENSIONS.stream().sorted().toList()) + " files)");
        }
        if (shuffle) {
            Collections.shuffle(files, new Random(seed));
        }
        int wanted = subsetSize <= 0 ? files.size() : Math.min(subsetSize, files.size());
        List<Tensor> samples = new ArrayList<>(wanted);
        List<String> skipped = new ArrayList<>();
        Progress bar = new Progress("Reading samples", wanted, log);
        for (int i = 0; i < files.size() && samples.size() < wanted; i++) {
            Path f = files.get(i);
            try {
                samples.add(reader.read(f, input));
                bar.step();
            } catch (Exception e) {
                skipped.add(f + ": " + e.getMessage());
            }
        }
        bar.finish();
        if (log != null) {
            skipped.forEach(s -> log.println("[ WARNING ] skipped " + s));
        }
        if (samples.isEmpty()) {
            throw new InferoException("none of the " + files.size() + " files in " + folder
                    + " could be read as a sample for input '" + input.name() + "'"
                    + (skipped.isEmpty() ? "" : " (first: " + skipped.getFirst() + ")"));
        }
        return samples;
    }
}
