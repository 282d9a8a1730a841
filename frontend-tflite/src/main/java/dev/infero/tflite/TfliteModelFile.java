package dev.infero.tflite;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.tflite.schema.Model;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A {@code .tflite} file in memory, verified ({@link FlatBufferVerifier}) so that the generated schema classes can
 * read it without running off the buffer.
 *
 * @param model the root table
 * @param bytes the whole file (buffers with an external {@code offset} point into it)
 * @param name  the file, for messages
 */
public record TfliteModelFile(Model model, ByteBuffer bytes, String name) {
    /** TFLite's file identifier, bytes 4..7 of every file the converter writes. */
    public static final String IDENTIFIER = "TFL3";

    /** Reads and verifies {@code file}. */
    public static TfliteModelFile read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new InferoException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new InvalidModelException(file + " has " + size + " bytes; TensorFlow Lite flatbuffers larger than 2 GB "
                    + "are not supported");
        }
        try {
            return parse(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new InferoException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Verifies {@code bytes} (a whole {@code .tflite} file) and wraps it; {@code name} is used in messages. */
    public static TfliteModelFile parse(ByteBuffer bytes, String name) {
        ByteBuffer bb = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        bb.position(0);
        if (bb.limit() == 0) {
            throw new InvalidModelException(name + " is empty, not a TensorFlow Lite model");
        }
        if (bb.limit() >= 8 && !hasIdentifier(bb)) {
            throw new InvalidModelException(name + " is not a TensorFlow Lite model: bytes 4-7 are not the file identifier "
                    + IDENTIFIER);
        }
        new FlatBufferVerifier(bb, name).verifyModel();
        return new TfliteModelFile(Model.getRootAsModel(bb), bb, name);
    }

    /** Whether {@code head} (a file's first bytes) carries TFLite's identifier. */
    public static boolean hasIdentifier(ByteBuffer head) {
        if (head.limit() < 8) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (head.get(4 + i) != IDENTIFIER.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
