package dev.infero.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The one rule for folders a tool writes into: made (with its parents) and proven writable before any long work
 * starts, so that an unwritable destination is reported in the first second, not after calibration or a benchmark;
 * and file-system errors described in words ("permission denied") rather than by the bare path Java's exceptions
 * carry as their message.
 */
public final class OutputFolder {
    private OutputFolder() {
    }

    /**
     * Creates {@code dir} if needed and checks that a file can be created in it (a probe file, deleted at once).
     *
     * @param what how the folder is named in the error, e.g. {@code "--output_dir"}
     * @return {@code dir}
     * @throws InferoException naming {@code what}, the folder and the reason when it cannot be written
     */
    public static Path prepare(Path dir, String what) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InferoException(what + " " + dir + " is a file, not a folder");
        }
        String problem = problem(dir);
        if (problem != null) {
            throw new InferoException("cannot write to " + what + " " + dir + ": " + problem);
        }
        return dir;
    }

    /**
     * Creates {@code dir} if needed and tries a probe file in it (deleted at once); for callers that word their own
     * error.
     *
     * @return why a file cannot be written there, in words, or {@code null} when it can
     */
    public static String problem(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".infero-write-check", ".tmp");
            Files.delete(probe);
            return null;
        } catch (IOException | SecurityException e) {
            return describe(e);
        }
    }

    /** The folder a file will be written to ({@code file}'s parent, or the working folder), prepared as above. */
    public static Path prepareParentOf(Path file, String what) {
        Path parent = file.toAbsolutePath().getParent();
        return prepare(parent == null ? Path.of(".") : parent, what);
    }

    /** A file-system error in words, with the file it concerns when that is not the whole message. */
    public static String describe(Exception e) {
        String reason = switch (e) {
            case AccessDeniedException a -> "permission denied (" + a.getFile() + ")";
            case NoSuchFileException n -> "no such file or folder (" + n.getFile() + ")";
            case NotDirectoryException n -> "not a folder (" + n.getFile() + ")";
            case FileAlreadyExistsException f -> "already exists (" + f.getFile() + ")";
            case FileSystemException f -> (f.getReason() == null ? "file system error" : f.getReason().toLowerCase(
                    java.util.Locale.ROOT)) + " (" + f.getFile() + ")";
            case SecurityException s -> "not allowed by the security manager: " + s.getMessage();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        return reason;
    }
}
