package dev.infero.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only shared models and datasets ({@code ../shared} beside the checkout, or the
 * {@code infero.shared} system property). Tests that need them call {@link #require}, which skips the test with the
 * reason when the data is absent (a user's fresh clone) and returns the path when present (CI).
 */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder, whether or not it exists. */
    public static Path root() {
        String configured = System.getProperty("infero.shared");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("../shared").normalize();
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        return dir.resolve("../shared").normalize();
    }

    /** The file or folder at {@code relative} under the shared folder; skips the calling test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p),
                () -> "skipped: shared data " + p + " is absent (it is present in CI; see README 'Shared data')");
        return p;
    }

    /** The LFW faces' people ({@code data/lfw-faces/<person>/}) in name order; skips the calling test without them. */
    public static List<Path> lfwPeople() {
        try (Stream<Path> people = Files.list(require("data/lfw-faces"))) {
            return people.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Up to {@code count} of {@code person}'s photos, in name order. */
    public static List<Path> photos(Path person, int count) {
        try (Stream<Path> photos = Files.list(person)) {
            return photos.sorted().limit(count).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code person}'s first photo in name order. */
    public static Path firstPhoto(Path person) {
        return photos(person, 1).getFirst();
    }
}
