package dev.infero.testing;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
