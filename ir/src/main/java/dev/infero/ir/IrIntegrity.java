package dev.infero.ir;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How Infero ties an IR's two files together: the writer records the SHA-256 of the {@code .bin} in the XML's model
 * {@code rt_info} ({@value #BIN_SHA256}) and the reader checks it, so an {@code .xml} beside a {@code .bin} from another
 * write (a kill between the two renames, a copy of one file only) is one clear error instead of misread weights. IRs
 * written by OpenVINO carry no such entry and are read as they are. Output names are checked here too.
 */
final class IrIntegrity {
    /** The model rt_info entry holding the .bin's SHA-256. */
    static final String BIN_SHA256 = "infero_bin_sha256";

    private IrIntegrity() {
    }

    /** Writes {@code bytes} to {@code file} and forces them to the storage device before returning. */
    static void writeDurably(java.nio.file.Path file, byte[] bytes) throws java.io.IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer data = ByteBuffer.wrap(bytes);
            while (data.hasRemaining()) {
                channel.write(data);
            }
            channel.force(true);
        }
    }

    static String sha256(ByteBuffer data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Fails unless {@code bin} is the payload the XML was written with (when it says). */
    static void check(String recorded, ByteBuffer bin, java.nio.file.Path xml, java.nio.file.Path binPath) {
        if (recorded == null) {
            return;
        }
        String actual = sha256(bin);
        if (!actual.equalsIgnoreCase(recorded)) {
            throw new InvalidModelException(binPath + " does not belong to " + xml + ": the XML was written with a .bin of "
                    + "SHA-256 " + recorded + ", this one has " + actual + " (the pair comes from different writes; "
                    + "convert the model again)");
        }
    }

    /**
     * Checks an IR base name: a file name, not a path (no separators, not "." or ".."), without control characters,
     * so writing {@code dir/name.xml} stays inside {@code dir}.
     */
    static void checkName(String name) {
        String problem = null;
        if (name == null || name.isEmpty()) {
            problem = "is empty";
        } else if (name.equals(".") || name.equals("..")) {
            problem = "is not a file name";
        } else if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            problem = "contains a path separator; give the folder with --output_dir";
        } else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            problem = "contains control characters";
        }
        if (problem != null) {
            throw new InferoException("model name '" + (name == null ? "" : name.replaceAll("\\p{Cntrl}", "?"))
                    + "' " + problem);
        }
    }
}
