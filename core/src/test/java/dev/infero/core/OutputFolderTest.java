package dev.infero.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
    @TempDir
    Path tmp;

    @Test
    void makesTheFolderAndLeavesNothingInIt() throws IOException {
        Path dir = tmp.resolve("a/b");
        assertEquals(dir, OutputFolder.prepare(dir, "--output_dir"));
        assertTrue(Files.isDirectory(dir));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the probe file is deleted");
        }
    }

    @Test
    void aFileIsNotAFolder() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        InferoException e = assertThrows(InferoException.class, () -> OutputFolder.prepare(file, "--output-dir"));
        assertEquals("--output-dir " + file + " is a file, not a folder", e.getMessage());
    }

    @Test
    void anUnwritablePlaceIsNamedWithTheReason() {
        // /proc refuses new entries even to root (CI runs as root, so permissions alone would not do).
        Path dir = Path.of("/proc/infero-output-check");
        InferoException e = assertThrows(InferoException.class, () -> OutputFolder.prepare(dir, "--output_dir"));
        assertTrue(e.getMessage().startsWith("cannot write to --output_dir " + dir + ": "), e.getMessage());
        assertTrue(!e.getMessage().endsWith(": " + dir), "a reason, not just the path: " + e.getMessage());
    }

    @Test
    void errorsInWords() {
        assertEquals("permission denied (/x)", OutputFolder.describe(new AccessDeniedException("/x")));
        assertEquals("no such file or folder (/y)", OutputFolder.describe(new NoSuchFileException("/y")));
        assertEquals("disk full", OutputFolder.describe(new IOException("disk full")));
    }
}
