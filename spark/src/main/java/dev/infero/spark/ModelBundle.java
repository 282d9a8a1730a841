package dev.infero.spark;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A model's files held in memory, so they can be broadcast from the driver and rebuilt on executors that share no
 * file system with it: an OpenVINO IR {@code .xml} with its {@code .bin}, or an ONNX file (without external data).
 * Identified by the SHA-256 of its file names and contents.
 */
public final class ModelBundle implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Largest model accepted (a Java array's limit; Spark broadcasts it in blocks). */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

    private final String modelFile;
    private final LinkedHashMap<String, byte[]> files;
    private final String sha256;

    private ModelBundle(String modelFile, LinkedHashMap<String, byte[]> files) {
        this.modelFile = modelFile;
        this.files = files;
        this.sha256 = digest(files);
    }

    /** Reads {@code model} (and the {@code .bin} beside an IR {@code .xml}); throws naming a missing file. */
    public static ModelBundle read(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new InferoException("model file " + model + " does not exist");
        }
        String name = model.getFileName().toString();
        LinkedHashMap<String, byte[]> files = new LinkedHashMap<>();
        files.put(name, readFile(model));
        if (name.toLowerCase(Locale.ROOT).endsWith(".xml")) {
            String bin = name.substring(0, name.length() - 4) + ".bin";
            Path weights = model.resolveSibling(bin);
            if (!Files.isRegularFile(weights)) {
                throw new InferoException("IR weights " + weights + " (beside " + model + ") do not exist");
            }
            files.put(bin, readFile(weights));
        }
        return new ModelBundle(name, files);
    }

    private static byte[] readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new InferoException("model file " + file + " is " + size + " bytes; at most " + MAX_BYTES
                        + " can be broadcast");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InferoException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model's file name (the {@code .xml} or {@code .onnx}). */
    public String modelFile() {
        return modelFile;
    }

    /** SHA-256 of the file names and contents, hex. */
    public String sha256() {
        return sha256;
    }

    /** Total size of the files in bytes. */
    public long byteSize() {
        return files.values().stream().mapToLong(b -> b.length).sum();
    }

    /** Writes the files into {@code dir} (created if needed) and returns the model file's path there. */
    public Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new InferoException("cannot write model " + modelFile + " to " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(modelFile);
    }
}
