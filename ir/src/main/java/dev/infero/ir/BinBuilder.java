package dev.infero.ir;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Accumulates the {@code .bin} payload: raw little-endian constants, each distinct byte sequence stored once. */
final class BinBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Integer, List<long[]>> byHash = new HashMap<>();
    private final List<byte[]> stored = new java.util.ArrayList<>();

    /** Appends (or finds) the tensor's bytes; returns {offset, size}. */
    long[] add(Tensor t) {
        byte[] bytes = TensorBytes.toLittleEndian(t);
        int hash = Arrays.hashCode(bytes);
        for (long[] candidate : byHash.getOrDefault(hash, List.of())) {
            if (Arrays.equals(stored.get((int) candidate[2]), bytes)) {
                return new long[] {candidate[0], candidate[1]};
            }
        }
        long offset = out.size();
        out.writeBytes(bytes);
        stored.add(bytes);
        byHash.computeIfAbsent(hash, k -> new java.util.ArrayList<>()).add(new long[] {offset, bytes.length,
                stored.size() - 1});
        return new long[] {offset, bytes.length};
    }

    long size() {
        return out.size();
    }

    /** Writes the payload and forces it to the storage device before returning. */
    void writeTo(Path file) throws IOException {
        IrIntegrity.writeDurably(file, out.toByteArray());
    }

    /** SHA-256 of the payload, lower-case hex: recorded in the XML so a reader can tell a .bin from another write. */
    String sha256() {
        return IrIntegrity.sha256(java.nio.ByteBuffer.wrap(out.toByteArray()));
    }
}
