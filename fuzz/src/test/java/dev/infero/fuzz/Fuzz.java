package dev.infero.fuzz;

import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.core.frontend.ModelSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What every fuzz target shares: the contract it checks and the scratch files model readers need.
 *
 * <p>The contract (docs/reliability.md): any input is either accepted or refused with an
 * {@link InferoException} (or a subclass) or an {@link IllegalArgumentException} carrying a message. Anything else
 * thrown — {@code NullPointerException}, {@code ArrayIndexOutOfBoundsException}, {@code OutOfMemoryError},
 * {@code StackOverflowError} — escapes the target and Jazzer records it as a finding; a hang is caught by the per-input
 * timeout in {@code junit-platform.properties}.
 */
final class Fuzz {
    /** One reader set for the whole JVM: creating a {@link Core} loads every frontend and device. */
    static final Core CORE = new Core();

    private static final Path SCRATCH = createScratch();

    private Fuzz() {
    }

    /** Runs {@code parse}; a documented refusal passes, every other throwable escapes to Jazzer. */
    static void expectCleanRefusal(Runnable parse) {
        try {
            parse.run();
        } catch (InferoException | IllegalArgumentException e) {
            String message = e.getMessage();
            if (message == null || message.isBlank()) {
                throw new AssertionError("refused without saying why: " + e.getClass().getName(), e);
            }
        }
    }

    /**
     * Splits one input into two files' contents (a model format made of two files): the first 4 bytes, big-endian,
     * give the first part's length (clamped to what is there), the rest is the second part. Seeds are written the
     * same way by {@code scripts/fuzz-seeds.sh}.
     */
    static byte[][] split(byte[] data) {
        if (data.length < 4) {
            return new byte[][] {data, new byte[0]};
        }
        int length = (int) Math.min(Integer.toUnsignedLong(ByteBuffer.wrap(data, 0, 4).getInt()), data.length - 4L);
        return new byte[][] {Arrays.copyOfRange(data, 4, 4 + length), Arrays.copyOfRange(data, 4 + length, data.length)};
    }

    /**
     * A model format made of two files: {@code data} {@link #split} and written as {@code first} and {@code second};
     * returns the two files in that order.
     */
    static Path[] writeSplit(byte[] data, String first, String second) {
        byte[][] parts = split(data);
        return new Path[] {write(first, parts[0]), write(second, parts[1])};
    }

    /** A fresh scratch folder of this JVM holding {@code name} with {@code content}; returns the file. */
    static Path write(String name, byte[] content) {
        try {
            Path file = SCRATCH.resolve(name);
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This JVM's scratch folder (empty but for the files the targets write). */
    static Path scratch() {
        return SCRATCH;
    }

    /** Creates empty files in the scratch folder (what a configuration refers to). */
    static void files(String... names) {
        for (String name : names) {
            write(name, new byte[0]);
        }
    }

    /** Creates a folder in the scratch folder. */
    static void folder(String name) {
        try {
            Files.createDirectories(SCRATCH.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a model from the scratch folder with the frontend of {@code framework}. */
    static void readModel(ModelSource source) {
        CORE.readModel(source);
    }

    private static Path createScratch() {
        try {
            // tmpfs when there is one: the model targets write their input to a file for every execution.
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "infero-fuzz") : Files.createTempDirectory("infero-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
